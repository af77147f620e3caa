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

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVector>

#include <utility>

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
// The same, for a caller that read the verdicts as stored (`stored`, every
// row in id order) in the scan that read its inputs, sparing a second pass
// over the table.
Status writeVerdicts(ProjectStore &store, VerdictTable table, const QVector<Verdict> &verdicts,
                     const QVector<Verdict> &stored);

// Verdicts as a query reads them: reject_reason as stored (UTF-8, empty =
// kept) and duplicate_of (0 = none), in id order. Reasons are a handful of
// codes, so each is one shared QString.
class StoredVerdicts {
public:
    void add(qint64 id, QByteArrayView reason, qint64 duplicateOf);
    QVector<Verdict> rows;

private:
    QVector<std::pair<QByteArray, QString>> m_reasons;
};

// For a writer that wrote every row's verdict itself as it added the rows
// (ingest's verdict stream): records the digests writeVerdicts would have.
// `refused` holds the refused rows, in id order (kept rows add nothing to a
// digest). Like writeVerdicts, it forgets the table's decidedFrom record.
Status recordVerdictDigests(ProjectStore &store, VerdictTable table, const QVector<Verdict> &refused);

// What the table's verdicts were last decided from, as the deciding code
// words it (the settings, the rules, the rows then present), for a reader
// that would otherwise decide them all again; empty when unknown. Every
// writeVerdicts forgets it: a writer that decided every row records it
// afterwards. Recording an empty one forgets it.
QString verdictsDecidedFrom(ProjectStore &store, VerdictTable table);
Status recordVerdictsDecidedFrom(ProjectStore &store, VerdictTable table, const QString &decidedFrom);

// Digest of the verdicts decided by the named stages (each reason's stage is
// in the registry, core/store/reasons.h), in both tables, as last written.
// A project written before digests existed has it computed from the tables.
Result<QString> verdictDigest(ProjectStore &store, const QStringList &deciders);

} // namespace rs
