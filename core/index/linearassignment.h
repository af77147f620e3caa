#pragma once
// One-to-one assignment of rows to columns that maximises the total score
// (the linear assignment problem), e.g. images to sentences of one document.

#include "core/util/result.h"

#include <vector>

namespace rs {

// score[i][j] is the gain of pairing row i with column j; the matrix is
// rectangular (n x m, either side may be larger) and every row must have m
// entries. Returns, per row, its column or -1. Exactly min(n, m) rows are
// matched (a maximum-cardinality matching: a negative score is still taken
// when that row or column would otherwise stay unmatched), and among those
// matchings the total score is maximal. With ties, one optimal matching is
// returned, always the same one for the same input.
// Hungarian algorithm with potentials (Jonker-Volgenant style shortest
// augmenting paths), O(min^2 * max) time, O(n * m) memory for the transpose.
// Errors (InvalidArgument): rows of different lengths, NaN or infinite scores.
Result<std::vector<int>> maximumWeightAssignment(const std::vector<std::vector<double>> &score);

} // namespace rs
