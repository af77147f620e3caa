#pragma once
// The one writer of filter verdicts (images.reject_reason / duplicate_of and
// sentences.reject_reason / duplicate_of), and the digest of what they hold.
//
// Every stage that decides items writes the whole column through
// writeVerdicts(); it updates only rows whose verdict changed and records a
// digest of the complete column in meta. Stage state compares that digest
// with the one a stage saw when it finished (Pipeline::state), so a stage
// whose inputs were re-decided behind its back is stale, not "done". Each
// deciding stage has its own digest, over the rows it refused, so a stage
// depends only on the verdicts of the stages before it.

#include "core/util/result.h"

#include <QString>
#include <QStringList>
#include <QVector>

namespace rs {

class ProjectStore;

enum class VerdictTable { Images, Sentences };

struct Verdict {
    qint64 id = 0;
    QString reason;        // empty = kept
    qint64 duplicateOf = 0; // 0 = none
};

// `verdicts` covers every row of the table, in ascending id order. Runs in
// its own transaction, so the caller must not hold one.
Status writeVerdicts(ProjectStore &store, VerdictTable table, const QVector<Verdict> &verdicts);

// Digest of the verdicts decided by the named stages (each reason's stage is
// in the registry, core/store/reasons.h), in both tables, as last written.
// A project written before digests existed has it computed from the tables.
Result<QString> verdictDigest(ProjectStore &store, const QStringList &deciders);

} // namespace rs
