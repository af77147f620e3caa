#pragma once
// Factory of BRISQUE quality experts ("opencv-brisque", kind "quality").
// initialize() loads the SVM model and range once; experts share them.

#include "core/generate/iexpert.h"
#include "plugins/expert_opencv/qualityexpert.h"

#include <QMutex>

namespace rs {

class QualityExpertFactory final : public IExpertFactory {
public:
    QString name() const override { return QStringLiteral("opencv-brisque"); }
    QString kind() const override { return QStringLiteral("quality"); }
    QString version() const override;
    Status initialize(const QVariantMap &options) override;
    std::unique_ptr<IExpert> create() override; // nullptr before initialize()

private:
    mutable QMutex m_mutex;
    QualitySettings m_settings;
    std::shared_ptr<const BrisqueModel> m_model;
};

} // namespace rs
