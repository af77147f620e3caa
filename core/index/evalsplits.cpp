#include "core/index/evalsplits.h"

#include "core/ingest/ingestor.h"

namespace rs {

bool isHeldOut(qint64 imageId, double fraction, quint64 seed)
{
    return inSample(QStringLiteral("holdout:%1").arg(imageId), fraction, seed);
}

bool isValidation(qint64 imageId, double holdout, double fraction, quint64 seed)
{
    return !isHeldOut(imageId, holdout, seed) && inSample(QStringLiteral("validation:%1").arg(imageId), fraction, seed);
}

} // namespace rs
