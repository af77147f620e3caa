#pragma once
// The one ordered registry of every reason an item can be left out for, with
// the name a curator reads. Order matters: an item is counted under its first
// failing reason, and every list (stats, the threshold panel, the browser's
// reason filter, the inspector) shows reasons in this order.
//
// Codes are the stored, documented strings (images.reject_reason,
// sentences.reject_reason, images.sample_reason); never rename one.
// Thread-safety: immutable after first use.

#include <QString>
#include <QStringList>
#include <QVector>

namespace rs {

enum class ReasonTable {
    Images,    // images.reject_reason: extract (and embed's embedding_duplicate)
    Sentences, // sentences.reject_reason: extract
    Sample,    // images.sample_reason: sample (kept images it did not select)
};

struct ReasonDef {
    QString code;    // stored and printed by the CLI
    QString display; // for people
    QString stage;   // the stage that decides it
};

const QVector<ReasonDef> &reasonDefs(ReasonTable table);
QStringList reasonCodes(ReasonTable table);
// The reason an image is not selected because a curator rejected it (a
// decision in `decisions`, not a stored reason): snapshots and diffs list it
// beside the stored reasons. "curator_reject".
QString curatorRejectReason();

// The display name of a code; the code itself for one not in the registry.
QString reasonDisplayName(ReasonTable table, const QString &code);

} // namespace rs
