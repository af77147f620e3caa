#pragma once
// IExpert: a grounding model called on demand (the P2G idea): image (and an
// optional region) in, findings out. Implementations: Tesseract OCR
// (plugins/expert_tesseract), OpenCV faces and BRISQUE quality
// (plugins/expert_opencv), zero-shot tags with the active encoder (core).
//
// Threads: an IExpert instance is used by one thread at a time (Tesseract
// is not thread-safe); the generate stage asks the factory for one instance
// per worker thread. Models loaded by the factory are shared by instances.
// No exception may escape.

#include "core/generate/finding.h"
#include "core/util/result.h"

#include <QImage>
#include <QObject>
#include <QRect>
#include <QString>
#include <QVariantMap>

#include <memory>

namespace rs {

class IExpert {
public:
    virtual ~IExpert() = default;
    // image: RGB888 at original resolution (alpha composited on white).
    // region: sub-rectangle to analyse in image pixels (null = whole image);
    // returned boxes are in whole-image pixels either way.
    virtual Result<Findings> analyze(const QImage &image, const QRect &region = {}) = 0;
};

class IExpertFactory {
public:
    virtual ~IExpertFactory() = default;
    virtual QString name() const = 0;     // stable id, e.g. "tesseract-ocr"
    virtual QString kind() const = 0;     // "ocr" | "face" | "quality" | "tag"
    virtual QString version() const = 0;  // changes when results would change (model, options)
    // Checks models/data files once; a clear error when they are missing.
    virtual Status initialize(const QVariantMap &options) = 0;
    virtual std::unique_ptr<IExpert> create() = 0;
};

// What an expert plugin library exports.
class IExpertPlugin {
public:
    virtual ~IExpertPlugin() = default;
    virtual QList<std::shared_ptr<IExpertFactory>> factories() = 0;
};

} // namespace rs

#define RealSyn_IExpertPlugin_iid "org.realsyn.IExpertPlugin/1"
Q_DECLARE_INTERFACE(rs::IExpertPlugin, RealSyn_IExpertPlugin_iid)
