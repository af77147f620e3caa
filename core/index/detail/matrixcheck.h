#pragma once
// Input checks and small kernels shared by the index code (private to core/index).

#include "core/util/matrix.h"
#include "core/util/result.h"

#include <cmath>

namespace rs::detail {

// A matrix the index code can hand to FAISS: at least one row and column,
// consistent size, only finite values. `what` names it in the message.
inline Status checkMatrix(const Matrix &m, const QString &what)
{
    if (m.rows <= 0 || m.cols <= 0)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("%1 is empty (%2 x %3)").arg(what).arg(m.rows).arg(m.cols));
    if (m.data.size() != size_t(m.rows) * size_t(m.cols))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("%1 holds %2 values, expected %3 x %4")
                             .arg(what).arg(qulonglong(m.data.size())).arg(m.rows).arg(m.cols));
    for (size_t i = 0; i < m.data.size(); ++i) {
        if (!std::isfinite(m.data[i]))
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("%1 has a NaN or infinite value at row %2")
                                 .arg(what).arg(qint64(i / size_t(m.cols))));
    }
    return {};
}

// Dot product and squared L2 distance of two d-vectors. Debian's FAISS is a
// generic (non-AVX) build whose fvec_inner_product runs ~0.9 GFlop/s here;
// sixteen independent lanes let the compiler vectorise this one without
// -ffast-math (~6 GFlop/s on the same core).
inline float innerProduct(const float *a, const float *b, int d)
{
    float acc[16] = {};
    int j = 0;
    for (; j + 16 <= d; j += 16)
        for (int l = 0; l < 16; ++l)
            acc[l] += a[j + l] * b[j + l];
    float s = 0;
    for (int l = 0; l < 16; ++l)
        s += acc[l];
    for (; j < d; ++j)
        s += a[j] * b[j];
    return s;
}

inline float squaredL2(const float *a, const float *b, int d)
{
    float acc[16] = {};
    int j = 0;
    for (; j + 16 <= d; j += 16)
        for (int l = 0; l < 16; ++l) {
            const float t = a[j + l] - b[j + l];
            acc[l] += t * t;
        }
    float s = 0;
    for (int l = 0; l < 16; ++l)
        s += acc[l];
    for (; j < d; ++j)
        s += (a[j] - b[j]) * (a[j] - b[j]);
    return s;
}

// FAISS takes an int seed; fold all 64 bits into a non-negative one.
inline int faissSeed(quint64 seed)
{
    return int((seed ^ (seed >> 32)) & 0x7fffffffu);
}

} // namespace rs::detail
