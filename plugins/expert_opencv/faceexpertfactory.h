#pragma once
// Factory of Haar-cascade face experts ("opencv-faces", kind "face").
// initialize() checks the cascade file and loads it once (a clear error when
// it is missing or malformed); create() is thread-safe after that.

#include "core/generate/iexpert.h"
#include "plugins/expert_opencv/faceexpert.h"

#include <QMutex>

namespace rs {

class FaceExpertFactory final : public IExpertFactory {
public:
    QString name() const override { return QStringLiteral("opencv-faces"); }
    QString kind() const override { return QStringLiteral("face"); }
    QString version() const override;
    Status initialize(const QVariantMap &options) override;
    std::unique_ptr<IExpert> create() override; // nullptr before initialize()

private:
    mutable QMutex m_mutex;
    bool m_ready = false;
    FaceSettings m_settings;
};

} // namespace rs
