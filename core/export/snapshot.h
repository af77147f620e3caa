#pragma once
// Snapshots: a named, frozen copy of a project's outcome, to compare runs
// and to export a past selection later.
//
// A snapshot holds (schema version 5, tables `snapshots` and
// `snapshot_images`):
//  - the recipe: the text value of every setting (Recipe::text), so the
//    recipe rebuilds exactly;
//  - the selection: every image with the reason it is not selected (NULL =
//    selected; see selectionReasonSql());
//  - every exported field of each selected sample (ExportSample::toJson),
//    and the manifest's encoder and sources.
// `realsyn export --snapshot NAME` writes from these through the one
// exporter (exportSamples), so it is byte-identical to an export made when
// the snapshot was taken, as long as the image files themselves are
// unchanged (they are re-encoded at export time, as always).
//
// The name "current" is reserved: it means the live state of the project,
// computed on demand and never stored.
//
// Threads: like ProjectStore, use on the thread that owns the store.

#include "core/export/exporter.h"
#include "core/store/recipe.h"
#include "core/util/result.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QVector>

namespace rs {

class ProjectStore;

// The live state's name in diff and export (never stored).
QString currentStateName();

struct SnapshotInfo {
    QString name;
    QString createdAt;   // ISO 8601, UTC
    qint64 images = 0;   // images in the selection table
    qint64 selected = 0; // of which selected
};

// The outcome of a project at one moment: what diff compares.
struct SelectionState {
    QMap<QString, QString> recipe;  // setting key -> text value
    QMap<qint64, QString> reasons;  // image id -> why not selected; empty string = selected
};

// Names: 1–64 characters of [A-Za-z0-9._-], not starting with '.' or '-',
// and not "current". InvalidArgument otherwise.
Status checkSnapshotName(const QString &name);

// Freezes the project's current state under `name` (one transaction).
// Conflict when a snapshot of that name exists.
Result<SnapshotInfo> createSnapshot(ProjectStore &store, const Recipe &recipe, const QString &name);

// Every snapshot, oldest first.
Result<QVector<SnapshotInfo>> listSnapshots(ProjectStore &store);

// The state of a snapshot, or of the live project for currentStateName().
// NotFound for an unknown name.
Result<SelectionState> loadSelectionState(ProjectStore &store, const Recipe &liveRecipe, const QString &name);

// What a snapshot exports from, and the recipe it was taken with.
// NotFound for an unknown name; ParseError for damaged stored data.
struct SnapshotExport {
    ExportSource source;
    Recipe recipe;
};
Result<SnapshotExport> loadSnapshotExport(ProjectStore &store, const QString &name);

// `realsyn export --snapshot NAME`: exportSamples() from the snapshot with
// its recipe.
Result<ExportReport> exportSnapshot(ProjectStore &store, const QString &name, const ExportOptions &options, JobContext &ctx);

// The difference from state a to state b, in `realsyn diff --json`'s shape:
// {"settings": {"<key>": {"a": v, "b": v}},
//  "entered": [{"id": N, "old_reason": "...", "new_reason": null}],
//  "left": [{"id": N, "old_reason": null, "new_reason": "cluster_cap"}],
//  "counts": {"a": {"<reason>": n, ..., "selected": n}, "b": {...}}}.
// Values are settings' text values; entered and left are by ascending id;
// an image that exists in only one state has reason "absent" in the other.
QJsonObject diffStates(const SelectionState &a, const SelectionState &b);

} // namespace rs
