#pragma once
// The vectors of every embedded image of a project, in ascending id order:
// what the curator's search and the embedding map both read.

#include "core/util/matrix.h"
#include "core/util/result.h"

#include <QVector>

namespace rs {

class ProjectStore;

struct EmbeddedImages {
    QVector<qint64> ids; // ascending image ids that have an embedding
    Matrix vectors;      // one row per id (float32, as stored, unit rows)
};

// Reads them with `store`'s connection (any thread that owns it). NotFound
// when the project has no image embeddings at all (embed not run yet); an
// empty result when it has a store but no embedded image.
Result<EmbeddedImages> loadEmbeddedImages(ProjectStore &store);

} // namespace rs
