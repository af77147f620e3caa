#include "core/pipeline/issuelog.h"

#include "core/store/projectstore.h"

namespace rs {

void recordImageIssue(ProjectStore &store, JobContext &ctx, const QString &stage, const JobIssue &issue)
{
    ctx.report(issue);
    const QString severity = issue.severity == Severity::Error ? QStringLiteral("error")
        : issue.severity == Severity::Info                     ? QStringLiteral("info")
                                                               : QStringLiteral("warning");
    if (Status s = store.logIssue(stage, severity, QStringLiteral("image"), issue.itemId, issue.text, issue.context); !s)
        ctx.warn(QStringLiteral("could not write the issue log: ") + s.error().toString());
}

} // namespace rs
