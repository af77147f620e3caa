#pragma once
// Closed-form regularised canonical correlation analysis between two dense
// views of the same n samples (the built-in encoder's image descriptors and
// reduced text features).

#include "core/embed/detail/densematrix.h"
#include "core/util/result.h"

#include <vector>

namespace rs::detail {

struct CcaModel {
    std::vector<double> meanA;         // p: weighted mean of view A
    std::vector<double> meanB;         // q
    DenseMatrix projA;                 // p x d: (a - meanA) * projA lands in the shared space
    DenseMatrix projB;                 // q x d
    std::vector<double> correlations;  // d canonical correlations, descending
};

// a: n x p, b: n x q, weights: n positive values. Each covariance is shrunk
// towards a scaled identity: C + regularization * trace(C) / dim * I.
// Components are scaled by correlation^componentPower, so that weakly
// correlated directions count less in cosine similarities. d is capped by
// min(p, q, n - 1). Errors: degenerate data (a view without variance, no
// correlation at all).
Result<CcaModel> fitCca(const DenseMatrix &a, const DenseMatrix &b, const std::vector<double> &weights,
                        int dimension, double regularization, double componentPower);

} // namespace rs::detail
