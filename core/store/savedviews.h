#pragma once
// Saved views of the sample browser: a named filter + sort + search (and
// field filters), stored in the project so that every curator of it sees
// them. Stored as meta entries "view:<name>" holding compact JSON; no
// schema change.
//
// The spec is a JSON object; parseViewSpec() checks the keys it knows and
// refuses wrong types, so a hand-edited or damaged entry is reported, not
// applied half-way. Keys (all optional):
//   "filter"   "all" | "kept" | "rejected" | "selected"
//   "reason"   a reason code (core/store/reasons.h) or ""
//   "sort"     "id" | "shorter_side" | "pixels" | "aspect" | "similarity" | "cluster" | "cluster_score"
//   "order"    "asc" | "desc"
//   "search"   text
//   "cluster"  integer >= -1 (-1 = all)
//   "decision" "any" | "accepted" | "rejected" | "undecided"
//   "feature"  "any" | "ocr_text" | "faces" | "no_ocr_text" | "no_faces"
//   "score"    one of the sort names but "id" (the score a range applies to)
//   "min", "max"  numbers (a missing bound is open)

#include "core/util/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace rs {

class ProjectStore;

struct SavedView {
    QString name;
    QJsonObject spec;
};

// Validates a spec given as JSON text.
Result<QJsonObject> parseViewSpec(const QByteArray &json);
// Validates a spec object (what parseViewSpec checks after parsing).
Status checkViewSpec(const QJsonObject &spec);

// Every saved view, by name. An entry that does not parse is left out and
// named in `damaged` (when given) with the reason.
Result<QList<SavedView>> savedViews(ProjectStore &store, QStringList *damaged = nullptr);
// Creates or replaces the view `name` (trimmed; 1..80 characters).
Status saveView(ProjectStore &store, const QString &name, const QJsonObject &spec);
Status deleteView(ProjectStore &store, const QString &name);

} // namespace rs
