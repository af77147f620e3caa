#include "core/embed/detail/sparsesvd.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace rs::detail {

namespace {

// x (sparse, r x c) times dense (c x k) -> r x k. Rows are independent, so
// the split over threads does not change a single value.
cv::Mat multiply(const SparseRows &x, const cv::Mat &dense)
{
    cv::Mat out(x.rows(), dense.cols, CV_64F, cv::Scalar(0));
    const int k = dense.cols;
    cv::parallel_for_(cv::Range(0, x.rows()), [&](const cv::Range &range) {
        for (int i = range.start; i < range.end; ++i) {
            double *dst = out.ptr<double>(i);
            for (qint64 e = x.start[size_t(i)]; e < x.start[size_t(i) + 1]; ++e) {
                const double v = x.value[size_t(e)];
                const double *src = dense.ptr<double>(x.index[size_t(e)]);
                for (int j = 0; j < k; ++j)
                    dst[j] += v * src[j];
            }
        }
    });
    return out;
}

SparseRows transposed(const SparseRows &x)
{
    SparseRows t;
    t.cols = x.rows();
    std::vector<qint64> counts(size_t(x.cols) + 1, 0);
    for (int c : x.index)
        ++counts[size_t(c) + 1];
    for (size_t c = 1; c < counts.size(); ++c)
        counts[c] += counts[c - 1];
    t.start = counts;
    t.index.resize(x.index.size());
    t.value.resize(x.value.size());
    std::vector<qint64> fill(counts.begin(), counts.end() - 1);
    for (int i = 0; i < x.rows(); ++i)
        for (qint64 e = x.start[size_t(i)]; e < x.start[size_t(i) + 1]; ++e) {
            const qint64 at = fill[size_t(x.index[size_t(e)])]++;
            t.index[size_t(at)] = i;
            t.value[size_t(at)] = x.value[size_t(e)];
        }
    return t;
}

// Orthonormal basis of y's columns by Cholesky-QR through an eigensolver
// (drops numerically dependent columns), done twice for accuracy.
cv::Mat orthonormalize(cv::Mat y)
{
    for (int pass = 0; pass < 2; ++pass) {
        cv::Mat gram, values, vectors;
        cv::gemm(y, y, 1.0, cv::noArray(), 0.0, gram, cv::GEMM_1_T);
        cv::eigen(gram, values, vectors);
        const double top = values.at<double>(0);
        if (!(top > 0))
            throw std::runtime_error("text matrix has no non-zero entries");
        int keep = 0;
        while (keep < values.rows && values.at<double>(keep) > 1e-12 * top)
            ++keep;
        cv::Mat scale = vectors.rowRange(0, keep).t();
        for (int j = 0; j < keep; ++j)
            scale.col(j) *= 1.0 / std::sqrt(values.at<double>(j));
        y = y * scale;
    }
    return y;
}

} // namespace

void SparseRows::append(const SparseVector &row)
{
    index.insert(index.end(), row.index.begin(), row.index.end());
    value.insert(value.end(), row.value.begin(), row.value.end());
    start.push_back(qint64(index.size()));
}

SvdBasis randomizedSvd(const SparseRows &x, int rank, quint64 seed, int powerIterations)
{
    const int oversample = 10;
    const int k = std::min({rank + oversample, x.rows(), x.cols});
    if (k < 1 || rank < 1)
        throw std::invalid_argument("empty matrix for the SVD");
    const SparseRows xt = transposed(x);

    cv::Mat omega(x.cols, k, CV_64F);
    cv::RNG rng(seed ^ 0x7E57DA7AULL);
    rng.fill(omega, cv::RNG::NORMAL, 0.0, 1.0);
    cv::Mat q = orthonormalize(multiply(x, omega));
    for (int it = 0; it < powerIterations; ++it) {
        const cv::Mat z = orthonormalize(multiply(xt, q));
        q = orthonormalize(multiply(x, z));
    }
    // B = Q^T X; its right singular vectors come from the small B B^T.
    const cv::Mat z = multiply(xt, q); // B^T, cols x k'
    cv::Mat gram, values, vectors;
    cv::gemm(z, z, 1.0, cv::noArray(), 0.0, gram, cv::GEMM_1_T);
    cv::eigen(gram, values, vectors);
    const double top = std::sqrt(std::max(0.0, values.at<double>(0)));
    int r = 0;
    while (r < std::min(rank, values.rows) && std::sqrt(std::max(0.0, values.at<double>(r))) > 1e-9 * top)
        ++r;
    if (r == 0)
        throw std::runtime_error("text matrix has rank zero");
    cv::Mat basis = z * vectors.rowRange(0, r).t();

    SvdBasis out;
    out.vectors = DenseMatrix(x.cols, r);
    out.singularValues.resize(size_t(r));
    for (int j = 0; j < r; ++j) {
        const double sigma = std::sqrt(values.at<double>(j));
        out.singularValues[size_t(j)] = sigma;
        // Fixed sign per vector (largest entry positive): the basis is then a
        // function of the data alone, not of the eigensolver's whims.
        double best = 0;
        for (int i = 0; i < basis.rows; ++i)
            if (std::abs(basis.at<double>(i, j)) > std::abs(best))
                best = basis.at<double>(i, j);
        const double scale = (best < 0 ? -1.0 : 1.0) / sigma;
        for (int i = 0; i < basis.rows; ++i)
            out.vectors.row(i)[j] = basis.at<double>(i, j) * scale;
    }
    return out;
}

} // namespace rs::detail
