#pragma once
// The expert_opencv plugin library: exports "opencv-faces" (Haar cascade)
// and "opencv-brisque" (BRISQUE image quality).

#include "core/generate/iexpert.h"

#include <QObject>

namespace rs {

class OpenCvPlugin : public QObject, public IExpertPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID RealSyn_IExpertPlugin_iid FILE "plugin.json")
    Q_INTERFACES(rs::IExpertPlugin)

public:
    QList<std::shared_ptr<IExpertFactory>> factories() override;
};

} // namespace rs
