#pragma once
// Read-side queries over samples (one sample = one image with its texts)
// shared by the CLI (`list`, `show`) and the GUI's inspector.

#include "core/util/result.h"

#include <QJsonArray>
#include <QJsonObject>

#include <vector>

namespace rs {

class ProjectStore;

enum class SampleFilter { All, Kept, Selected, Unprobed }; // Unprobed: extract has not probed it yet

// The SQL condition (over table alias i = images, d = decisions) for
// "selected for export": kept by every filter, sampled in by stage 4 when it
// has run, minus curator rejections, plus curator acceptances.
QString selectedCondition();
QString keptCondition();

// [{"id", "path", "kept", "selected"}, ...] ordered by id.
Result<QJsonArray> listSamples(ProjectStore &store, SampleFilter filter);

// The ids of listSamples(store, filter), ascending, without the JSON (the
// browser's "selected for export" filter at 100k images).
Result<std::vector<qint64>> sampleIds(ProjectStore &store, SampleFilter filter);

// Facets of images beyond the score columns, for the browser's field
// filters: the curator's decision and what the experts found.
enum class ImageFacet { CuratorAccepted, CuratorRejected, HasOcrText, HasFaces };
// Ids with the facet, ascending.
Result<std::vector<qint64>> imagesWith(ProjectStore &store, ImageFacet facet);
// How many images have each facet (in ImageFacet order), in one query.
Result<std::vector<qint64>> facetCounts(ProjectStore &store);

// One sample whole: see `realsyn show --help` and the README for the fields.
Result<QJsonObject> sampleDetails(ProjectStore &store, qint64 imageId);

} // namespace rs
