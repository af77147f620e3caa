#pragma once
// Truncated SVD of a sparse matrix by randomized range finding (Halko,
// Martinsson & Tropp 2011, with power iterations): the built-in encoder's
// reduction of hashed TF-IDF rows to a few hundred dense dimensions.

#include "core/embed/detail/densematrix.h"
#include "core/embed/detail/texthasher.h"

#include <QtGlobal>

#include <vector>

namespace rs::detail {

// Compressed sparse rows; column indices in [0, cols).
struct SparseRows {
    int cols = 0;
    std::vector<qint64> start{0}; // rows() + 1 offsets into index/value
    std::vector<int> index;
    std::vector<float> value;

    int rows() const { return int(start.size()) - 1; }
    void append(const SparseVector &row);
};

struct SvdBasis {
    DenseMatrix vectors;                // cols x rank: top right singular vectors
    std::vector<double> singularValues; // rank values, descending
};

// Top right singular vectors of x (uncentred). The rank may come out lower
// than asked when x has lower numerical rank. Deterministic for a given
// seed. Throws std::exception on a library failure.
SvdBasis randomizedSvd(const SparseRows &x, int rank, quint64 seed, int powerIterations = 2);

} // namespace rs::detail
