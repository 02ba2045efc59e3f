"""The leadership export as an nbconvert exporter, so ``jupyter nbconvert --to hcp_bulletin``
works once hcp is installed (registered under ``nbconvert.exporters`` in pyproject.toml).

``html.export_html`` (what ``hcp run`` uses) exports with it too: the ``hcp_bulletin``
template, outputs only, no code, prompts or markdown, parameter cells removed.
"""

from __future__ import annotations

from typing import Any

from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
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

    @default("optimistic_validation")
    def _optimistic_validation_default(self) -> bool:
        # The notebook is validated once, after the preprocessors, not after each of them
        # (a dozen schema checks of a page that embeds its charts: 0.07 s a copy).
        return True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register_preprocessor(
            TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True), enabled=True
        )

    def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None,
                           **kw: Any) -> tuple[str, dict[str, Any]]:
        """``HTMLExporter.from_notebook_node`` less its closing BeautifulSoup pass.

        That pass re-parses the finished page to give alt text to images without any and a
        tabindex to JupyterLab's cell wrappers. The hcp template makes neither (a chart's
        caption is its alt text), and re-parsing a page that embeds its fonts and charts took
        0.2 s a copy, on every run's critical path. The page is the template's rendering as
        it is: void tags stay as HTML5 writes them (``<meta charset="utf-8">``, not
        ``<meta charset="utf-8"/>``).
        """
        resources = dict(resources or {})
        resources.setdefault("hcp_version", __version__)
        name = resources.get("metadata", {}).get("name", "")
        resources.setdefault("hcp_title", nb.metadata.get("title") or name)
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter("highlight_code", self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)
