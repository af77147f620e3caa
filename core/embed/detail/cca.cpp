#include "core/embed/detail/cca.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>

namespace rs::detail {

namespace {


// Centres the rows on their weighted mean and scales each by sqrt(w / sum w),
// so that X^T X is the weighted covariance.
cv::Mat weightedCentred(const DenseMatrix &m, const std::vector<double> &w, double wsum,
                        std::vector<double> &mean)
{
    mean.assign(size_t(m.cols), 0.0);
    for (int i = 0; i < m.rows; ++i) {
        const double *r = m.row(i);
        for (int j = 0; j < m.cols; ++j)
            mean[size_t(j)] += w[size_t(i)] * r[j];
    }
    for (double &v : mean)
        v /= wsum;
    cv::Mat out(m.rows, m.cols, CV_64F);
    for (int i = 0; i < m.rows; ++i) {
        const double s = std::sqrt(w[size_t(i)] / wsum);
        const double *r = m.row(i);
        double *dst = out.ptr<double>(i);
        for (int j = 0; j < m.cols; ++j)
            dst[j] = (r[j] - mean[size_t(j)]) * s;
    }
    return out;
}

// (C + lambda I)^(-1/2) for a symmetric positive semi-definite C.
cv::Mat regularisedInverseSqrt(const cv::Mat &cov, double regularization)
{
    const double lambda = regularization * cv::trace(cov)[0] / cov.rows;
    cv::Mat values, vectors;
    cv::eigen(cov, values, vectors);
    cv::Mat scaled = vectors.t(); // columns = eigenvectors
    for (int j = 0; j < values.rows; ++j)
        scaled.col(j) *= 1.0 / std::sqrt(std::max(values.at<double>(j), 0.0) + lambda);
    return scaled * vectors;
}

} // namespace

Result<CcaModel> fitCca(const DenseMatrix &a, const DenseMatrix &b, const std::vector<double> &weights,
                        int dimension, double regularization, double componentPower)
{
    const int n = a.rows;
    if (n != b.rows || size_t(n) != weights.size() || n < 2 || a.cols < 1 || b.cols < 1)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("CCA views do not match"));
    double wsum = 0;
    for (double w : weights)
        wsum += w;
    if (!(wsum > 0))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("CCA weights sum to zero"));

    CcaModel model;
    const cv::Mat ac = weightedCentred(a, weights, wsum, model.meanA);
    const cv::Mat bc = weightedCentred(b, weights, wsum, model.meanB);
    cv::Mat caa, cbb, cab;
    cv::gemm(ac, ac, 1.0, cv::noArray(), 0.0, caa, cv::GEMM_1_T);
    cv::gemm(bc, bc, 1.0, cv::noArray(), 0.0, cbb, cv::GEMM_1_T);
    cv::gemm(ac, bc, 1.0, cv::noArray(), 0.0, cab, cv::GEMM_1_T);
    if (!(cv::trace(caa)[0] > 1e-12))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("the images do not vary: every descriptor is the same"));
    if (!(cv::trace(cbb)[0] > 1e-12))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("the texts do not vary: every text vector is the same"));

    const double reg = std::max(regularization, 1e-9);
    const cv::Mat wa = regularisedInverseSqrt(caa, reg);
    const cv::Mat wb = regularisedInverseSqrt(cbb, reg);
    const cv::Mat k = wa * cab * wb;
    cv::Mat s, u, vt;
    cv::SVD::compute(k, s, u, vt);
    const int d = std::min({dimension, s.rows, n - 1});
    if (d < 1 || !(s.at<double>(0) > 1e-6))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("images and texts are uncorrelated: nothing to align"));

    const cv::Mat pa = wa * u.colRange(0, d);
    const cv::Mat pb = wb * vt.rowRange(0, d).t();
    model.projA = DenseMatrix(a.cols, d);
    model.projB = DenseMatrix(b.cols, d);
    model.correlations.resize(size_t(d));
    for (int j = 0; j < d; ++j) {
        const double corr = std::clamp(s.at<double>(j), 0.0, 1.0);
        model.correlations[size_t(j)] = corr;
        double best = 0;
        for (int i = 0; i < pa.rows; ++i)
            if (std::abs(pa.at<double>(i, j)) > std::abs(best))
                best = pa.at<double>(i, j);
        const double scale = (best < 0 ? -1.0 : 1.0) * std::pow(corr, componentPower);
        for (int i = 0; i < pa.rows; ++i)
            model.projA.row(i)[j] = pa.at<double>(i, j) * scale;
        for (int i = 0; i < pb.rows; ++i)
            model.projB.row(i)[j] = pb.at<double>(i, j) * scale;
    }
    return model;
}

} // namespace rs::detail
