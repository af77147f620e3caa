#pragma once
// K-means over the rows of a Matrix (FAISS underneath, kept out of this header).
//
// Used twice in the pipeline: over sentence embeddings for hierarchical
// retrieval (stage 2) and over image embeddings for balance sampling (stage 4).
// Batch-first and synchronous; it uses all hardware threads through OpenMP.

#include "core/util/matrix.h"

#include <QVector>
#include "core/util/result.h"

#include <QtGlobal>

#include <vector>

namespace rs {

struct KMeansOptions {
    // Number of centres; 0 = defaultClusterCount(points.rows). More clusters
    // than points is an error.
    int clusters = 0;
    // Lloyd iterations.
    int iterations = 20;
    // Seeds the k-means++ initial centres (chosen from a subsample of at most
    // 16 points per centre) and the training subsample: same seed, same input,
    // same thread count -> same result.
    quint64 seed = 0;
    // true: centres are L2-normalised after every update and points go to the
    // centre with the largest inner product (spherical k-means; pass unit-norm
    // rows and this is cosine k-means). false: plain squared-L2 k-means.
    bool sphericalCosine = true;
    // Training uses at most clusters * maxPointsPerCentroid points (a seeded
    // random subsample); the final assignment always covers every point.
    int maxPointsPerCentroid = 256;
};

// Default number of centres for n points: round(sqrt(n)) clamped to [1, n]
// (0 for n <= 0). Why sqrt: one query then costs about k centre comparisons
// plus n/k sentence comparisons per probed cluster, and k + n/k is smallest at
// k = sqrt(n). The paper used far more, finer clusters (2M centres for 0.84B
// sentences, ~420 per centre) on GPUs; set KMeansOptions::clusters for that.
int defaultClusterCount(qint64 n);

struct KMeansResult {
    Matrix centroids;            // clusters x points.cols
    std::vector<int> assignment; // per point: index of its centre in [0, clusters)
    // Per point, how close it is to its centre: the inner product (higher is
    // closer) when sphericalCosine, else the squared L2 distance (lower is closer).
    std::vector<float> distance;
};

// Errors (InvalidArgument): no rows or no columns, a data size that does not
// match rows * cols, NaN or infinite values, clusters > rows, clusters < 0,
// iterations < 1, maxPointsPerCentroid < 1. FAISS failures come back as Internal.
Result<KMeansResult> kmeans(const Matrix &points, const KMeansOptions &opts);

// For clusterings too large for one process (issue 14): centres trained once
// on a seeded sample, then every point assigned to its nearest centre
// wherever it is, in shards.
//
// The seeded sample of `count` of `ids` (all of them when count >= size),
// in id order: what a training job loads instead of every vector.
QVector<qint64> trainingSample(const QVector<qint64> &ids, qint64 count, quint64 seed);

// Each point's nearest centre and its score (KMeansResult's `assignment`
// and `distance`), with the same kernel for every point whatever batch it is
// in, so a shard's points are assigned exactly as the whole set's.
struct CentreAssignment {
    std::vector<int> centre;
    std::vector<float> distance;
};
CentreAssignment assignToCentres(const Matrix &points, const Matrix &centres, bool sphericalCosine);

} // namespace rs
