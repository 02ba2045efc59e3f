"""The leadership export as an nbconvert exporter, so ``jupyter nbconvert --to hcp_bulletin``
works once hcp is installed (registered under ``nbconvert.exporters`` in pyproject.toml).

Same template and choices as ``html.export_html`` (what ``hcp run`` uses): the
``hcp_bulletin`` template, outputs only, no code, prompts or markdown, parameter cells removed.
"""

from __future__ import annotations

from typing import Any

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets import default

from .. import __version__
from .nbtemplate import NBCONVERT_TEMPLATES, REMOVED_TAGS, TEMPLATE_NAME


class BulletinExporter(HTMLExporter):
    """The bulletin's leadership copy: one self-contained HTML file of the cells' outputs."""

    export_from_notebook = "hcp 通报 (leadership HTML)"

    @default("template_name")
    def _template_name_default(self) -> str:
        return TEMPLATE_NAME

    @default("extra_template_basedirs")
    def _default_extra_template_basedirs(self) -> list[str]:
        return [str(NBCONVERT_TEMPLATES), *super()._default_extra_template_basedirs()]

    @default("exclude_input")
    def _exclude_input_default(self) -> bool:
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self) -> bool:
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self) -> bool:
        return True

    @default("exclude_markdown")
    def _exclude_markdown_default(self) -> bool:
        return True

    @default("exclude_raw")
    def _exclude_raw_default(self) -> bool:
        return True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register_preprocessor(
            TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True), enabled=True
        )

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = dict(resources or {})
        resources.setdefault("hcp_version", __version__)
        name = resources.get("metadata", {}).get("name", "")
        resources.setdefault("hcp_title", nb.metadata.get("title") or name)
        return super().from_notebook_node(nb, resources, **kw)
