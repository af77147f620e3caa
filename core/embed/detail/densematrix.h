#pragma once
// Row-major double matrix passed between the built-in encoder's fitting
// steps. Plain storage, no algebra: the algebra lives in the .cpp files
// (OpenCV wraps this buffer without copying).

#include <cstddef>
#include <vector>

namespace rs::detail {

struct DenseMatrix {
    int rows = 0;
    int cols = 0;
    std::vector<double> data; // rows * cols values

    DenseMatrix() = default;
    DenseMatrix(int r, int c) : rows(r), cols(c), data(size_t(r) * size_t(c), 0.0) {}
    double *row(int i) { return data.data() + size_t(i) * size_t(cols); }
    const double *row(int i) const { return data.data() + size_t(i) * size_t(cols); }
};

} // namespace rs::detail
