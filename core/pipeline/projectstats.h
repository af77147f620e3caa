#pragma once
// The numbers `realsyn stats` prints and the GUI's overview shows.

#include "core/util/result.h"

#include <QJsonObject>

namespace rs {

class Pipeline;
class ProjectStore;
class Recipe;

// {"documents": N, "images": {"total", "kept", "rejected": {reason: N}},
//  "sentences": {...same}, "image_refs": N, "ingest_errors": N,
//  "stages": {stage: "done|stale|not-run"}, "encoder": ...}
Result<QJsonObject> projectStats(ProjectStore &store, const Recipe &recipe, const Pipeline &pipeline);

// Human-readable rendering of the same object, a few lines.
QString formatStats(const QJsonObject &stats);

} // namespace rs
