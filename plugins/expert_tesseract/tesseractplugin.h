#pragma once
// The expert_tesseract plugin library: exports one factory, "tesseract-ocr".

#include "core/generate/iexpert.h"

#include <QObject>

namespace rs {

class TesseractPlugin : public QObject, public IExpertPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID RealSyn_IExpertPlugin_iid FILE "plugin.json")
    Q_INTERFACES(rs::IExpertPlugin)

public:
    QList<std::shared_ptr<IExpertFactory>> factories() override;
};

} // namespace rs
