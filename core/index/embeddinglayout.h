#pragma once
// EmbeddingLayout: a 2-D position for every image embedding, for the
// studio's embedding map.
//
// Methods:
//  - Pca (default): the rows projected on their first two principal axes
//    (the covariance of at most kCovarianceRows rows, a seeded sample above
//    that, diagonalised by Jacobi rotations; each axis' sign is fixed so that
//    its largest component is positive). Seconds at 1M x 64.
//  - Neighbors: a neighbour-preserving layout in the manner of UMAP, on a
//    seeded sample of `landmarks` rows: their k-nearest-neighbour graph (cosine,
//    FAISS brute force) with UMAP's fuzzy weights, PCA coordinates as the
//    start, then seeded stochastic gradient descent with attraction along
//    the edges and repulsion from sampled non-neighbours. Every other row is
//    placed at the similarity-weighted mean of its nearest landmarks (found
//    through an IVF index over the landmarks). Images that look alike end up
//    together even where PCA's two axes cannot separate them.
//
// Determinism: same rows, same options (seed included) -> the same
// positions, bit for bit, whatever the thread count: every random choice
// draws from generators seeded by opts.seed, the gradient descent runs on
// one thread, and parallel parts write disjoint rows.
//
// Caching: forProject() keeps the computed layout in the project
// (cache/map-<method>.bin), keyed by a digest of the ids, the vectors and
// the options; a layout whose key no longer matches is recomputed.
//
// Threads: compute() and forProject() are synchronous; run them off the
// GUI thread. They report progress and stop at the next step once
// ctx.isCanceled() (Canceled). A computed layout is an immutable value.

#include "core/util/jobcontext.h"
#include "core/util/matrix.h"
#include "core/util/result.h"

#include <QString>
#include <QVector>

#include <vector>

namespace rs {

class ProjectStore;

// The principal axes of the rows of `points`, largest variance first.
struct PrincipalAxes {
    std::vector<float> mean;  // d values
    Matrix axes;              // components x d, unit rows
    std::vector<double> variance; // per axis: the variance along it
};

// PCA of `points` (n x d, n >= 2). Above kCovarianceRows rows the
// covariance comes from a sample of that many rows drawn with `seed`.
// Errors (InvalidArgument): fewer than 2 rows, no columns, components not in
// [1, d], NaN or infinite values.
Result<PrincipalAxes> principalAxes(const Matrix &points, int components, quint64 seed = 0);

class EmbeddingLayout {
public:
    enum class Method { Pca, Neighbors };
    static QString methodName(Method method); // "pca", "neighbors"
    // NotFound-free parse: false when `name` is neither.
    static bool parseMethod(const QString &name, Method *method);

    // Rows whose covariance PCA diagonalises (a seeded sample above this).
    static constexpr qint64 kCovarianceRows = 50000;

    struct Options {
        Method method = Method::Pca;
        quint64 seed = 0;
        // Neighbors only: rows the graph layout is optimised on (all rows
        // when fewer), neighbours per row, and gradient-descent epochs.
        int landmarks = 10000;
        int neighbors = 15;
        int epochs = 200;
    };

    EmbeddingLayout() = default;

    // Lays out the rows of `vectors` (unit rows; row i belongs to ids[i]).
    // Errors: InvalidArgument (ids and rows differ in number, fewer than 2
    // rows, bad options, NaN values), Canceled, Internal (FAISS).
    static Result<EmbeddingLayout> compute(const QVector<qint64> &ids, const Matrix &vectors, const Options &opts, JobContext &ctx);

    // The layout of every embedded image of the project (ascending ids),
    // read from the cache when its key still matches, else computed and
    // cached. NotFound: no image has an embedding yet. `fromCache`
    // (optional) says which happened. The cache file is written atomically;
    // a failure to write it is only a warning on ctx.
    static Result<EmbeddingLayout> forProject(ProjectStore &store, const Options &opts, JobContext &ctx, bool *fromCache = nullptr);
    // The cache file forProject() uses for `method` in the project.
    static QString cachePath(ProjectStore &store, Method method);

    // Reads a layout written by save() whose key is `key` (NotFound when
    // absent, Conflict when the key differs, ParseError when damaged).
    static Result<EmbeddingLayout> load(const QString &path, quint64 key);
    Status save(const QString &path) const;

    // What forProject() keys the cache by: the ids, the vector values and
    // the options that change the result.
    static quint64 inputKey(const QVector<qint64> &ids, const Matrix &vectors, const Options &opts);

    qint64 size() const { return qint64(m_ids.size()); }
    Method method() const { return m_method; }
    quint64 key() const { return m_key; }
    const std::vector<qint64> &ids() const { return m_ids; } // ascending when from forProject()
    // Interleaved positions: x of row i at 2i, y at 2i + 1 (arbitrary units).
    const std::vector<float> &positions() const { return m_xy; }

private:
    Method m_method = Method::Pca;
    quint64 m_key = 0;
    std::vector<qint64> m_ids;
    std::vector<float> m_xy;
};

} // namespace rs
