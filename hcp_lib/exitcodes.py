"""Exit codes a scheduler can act on; docs/operations.md lists them."""

OK = 0
ERROR = 1
USAGE = 2
INVALID_INPUT = 3
RECONCILE_MISMATCH = 4
NOTEBOOK_FAILED = 5
# hcp send
NOT_SENDABLE = 6  # the report failed, is provisional, differs from its manifest, or was sent
SMTP_UNREACHABLE = 7  # the server could not be reached, or kept failing temporarily
SMTP_CERTIFICATE = 8  # the server's TLS certificate was not accepted (or TLS failed)
SMTP_AUTH = 9  # the server rejected the login
MAIL_REFUSED = 10  # the server refused a recipient or the message; nothing was sent
# --engine dask
SCHEDULER_UNREACHABLE = 11  # the Dask scheduler named did not answer, or has no workers

# What each code means, in Chinese and in English (the commands' --help lists them).
MEANINGS: dict[int, tuple[str, str]] = {
    OK: ("成功", "done"),
    ERROR: ("错误（如磁盘已满、无法写入）", "error (e.g. the disk is full or a folder is read-only)"),
    USAGE: ("用法错误：参数、季度、文件夹或配置有误", "bad parameters, quarter, folder or configuration"),
    INVALID_INPUT: ("输入无效、不完整或数字不合理", "invalid, incomplete or implausible inputs"),
    RECONCILE_MISMATCH: ("与已发布通报的数字不一致", "a figure differs from the published bulletin"),
    NOTEBOOK_FAILED: ("notebook 单元格执行失败", "a notebook cell failed"),
    NOT_SENDABLE: ("通报不可报送（运行失败、征求意见稿、与 manifest 不符或已报送）",
                   "report not sendable (failed, provisional, differs from its manifest, or sent)"),
    SMTP_UNREACHABLE: ("无法连接邮件服务器", "mail server unreachable"),
    SMTP_CERTIFICATE: ("邮件服务器证书或 TLS 错误", "certificate or TLS error"),
    SMTP_AUTH: ("邮件服务器拒绝登录", "login rejected"),
    MAIL_REFUSED: ("邮件服务器拒收收件人或邮件，未发送", "recipient or message refused; nothing sent"),
    SCHEDULER_UNREACHABLE: ("无法连接 Dask 调度器或其没有工作进程（--engine dask）",
                            "the Dask scheduler did not answer or has no workers "
                            "(--engine dask)"),
}
