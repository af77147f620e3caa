#pragma once
// k-means centres on disk, for other processes: the barrier job that trains
// the image clustering saves them, the shard jobs that assign images load
// them (issue 14). A small header (magic, rows, columns, little-endian) and
// float32 rows; written atomically.
//
// Thread-safety: free functions; no shared state.

#include "core/util/matrix.h"
#include "core/util/result.h"

#include <QString>

namespace rs {

Status saveCentres(const Matrix &centres, const QString &path);
// Errors: NotFound (no file), ParseError (another format, a header that
// disagrees with the file's size, absurd dimensions), InvalidArgument (NaN
// or infinite values).
Result<Matrix> loadCentres(const QString &path);

} // namespace rs
