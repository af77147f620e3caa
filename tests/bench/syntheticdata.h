#pragma once
// Synthetic stand-ins for sentence/image embeddings: Gaussian clusters on the
// unit sphere. Used by the retrieval bench and by the k-means/retriever tests.
//
// A centre c is a random unit vector; a sample is normalize(c + spread * z)
// with z ~ N(0, I/d), so |z| ~ 1 and cos(sample, c) ~ 1/sqrt(1 + spread^2)
// (spread 1: ~0.71 to the centre, ~0.5 between two samples of one cluster,
// ~0 across clusters, roughly like related vs unrelated CLIP sentences).
// Deterministic for a seed, whatever the thread count (rows are generated in
// fixed blocks, each with its own seeded generator).

#include "core/util/matrix.h"

#include <QtGlobal>

#include <vector>

namespace rs::test {

struct ClusteredData {
    Matrix points;          // n x d, unit rows
    std::vector<int> label; // per point: the cluster it was drawn from
    Matrix centres;         // clusters x d, unit rows
};

// n points from `clusters` clusters (each point picks its cluster uniformly).
ClusteredData makeClusteredData(qint64 n, int clusters, int dims, float spread, quint64 seed);

// n more samples around the given centres (e.g. queries near the sentences).
ClusteredData samplesAround(const Matrix &centres, qint64 n, float spread, quint64 seed);

} // namespace rs::test
