#pragma once
// Input checks shared by the index code (private to core/index).

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

// FAISS takes an int seed; fold all 64 bits into a non-negative one.
inline int faissSeed(quint64 seed)
{
    return int((seed ^ (seed >> 32)) & 0x7fffffffu);
}

} // namespace rs::detail
