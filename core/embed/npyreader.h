#pragma once
// Reads 2-D NumPy .npy files (format versions 1-3) of float16 or float32,
// little-endian, C order: what `numpy.save` writes for an (n, d) embedding
// matrix. Anything else is a clear error, never a crash or a huge allocation
// (the header's shape is checked against the file size first).

#include "core/util/matrix.h"
#include "core/util/result.h"

#include <QString>

namespace rs {

Result<Matrix> readNpyMatrix(const QString &path);

} // namespace rs
