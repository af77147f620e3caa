#pragma once
// Candidate near-duplicate pairs by embedding (stage 2 redundancy removal):
// each image's nearest neighbours (at most kEmbeddingDuplicateNeighbours,
// exact inner-product search) whose cosine similarity is at least
// minSimilarity. The embed stage stores these pairs for
// embed.dedup_threshold; the duplicate review (core/pipeline/duplicatereview.h)
// previews other thresholds with the same search. The image decision kernel
// (core/extract/imagefilters.h) turns pairs into groups.
//
// Because neighbours are the top k by similarity, the pairs for a threshold
// t are exactly the pairs for any lower threshold whose similarity is >= t.
//
// Thread-safety: pure function, reentrant.

#include "core/util/matrix.h"
#include "core/util/result.h"

#include <QVector>

#include <vector>

namespace rs {

constexpr int kEmbeddingDuplicateNeighbours = 8;

struct SimilarPair {
    qint64 a = 0, b = 0;  // image ids, a < b
    float similarity = 0; // inner product of the unit vectors
};

// vectors: one unit-norm row per id. Pairs are unique, ordered by (a, b).
Result<std::vector<SimilarPair>> embeddingDuplicatePairs(const Matrix &vectors, const QVector<qint64> &ids, float minSimilarity);

} // namespace rs
