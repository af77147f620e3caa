#pragma once
// IEncoder: maps images and texts into one embedding space.
//
// Implementations: the built-in corpus-aligned encoder (core, no weights
// needed) and the TorchScript CLIP plugin (plugins/encoder_torchscript).
// Batch-first: one call encodes a whole batch. Output rows are L2-normalised
// float32, one row per input, in input order, so cosine similarity is a dot
// product. Images arrive decoded (QImage::Format_RGB888, alpha already
// composited on white): decoding failures are the pipeline's to record, and
// an encoder never sees them.
//
// Thread-safety: an encoder instance holds loaded weights and may be shared;
// encodeImages/encodeTexts must be safe to call from one thread at a time at
// least (implementations say if they allow more). No exception may escape.

#include "core/util/jobcontext.h"
#include "core/util/matrix.h"
#include "core/util/result.h"

#include <QImage>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <memory>

namespace rs {

struct EncoderInfo {
    QString name;          // identity recorded with the embeddings, e.g. "builtin-cca-v1" or "ViT-B-32/openai"
    int dimension = 0;     // embedding width d
    bool clipFamily = false; // similarities on CLIP's scale (stage-4 absolute thresholds apply)
    QString preprocessing; // one line: how images/texts are prepared, for the UI and `show`
};

class IEncoder {
public:
    virtual ~IEncoder() = default;
    virtual EncoderInfo info() const = 0;
    // n decoded images -> n x d matrix.
    virtual Result<Matrix> encodeImages(const QList<QImage> &images, JobContext &ctx) = 0;
    // n texts -> n x d matrix.
    virtual Result<Matrix> encodeTexts(const QStringList &texts, JobContext &ctx) = 0;
};

// The Qt plugin interface an encoder plugin exports: a factory, so that the
// plugin library is loaded once and models are created on demand.
class IEncoderPlugin {
public:
    virtual ~IEncoderPlugin() = default;
    // Opens a model folder (model.pt + merges + model.json, see README).
    // options: e.g. {"device": "cpu"|"cuda", "threads": int}.
    virtual Result<std::shared_ptr<IEncoder>> open(const QString &modelDir, const QVariantMap &options) = 0;
};

} // namespace rs

#define RealSyn_IEncoderPlugin_iid "org.realsyn.IEncoderPlugin/1"
Q_DECLARE_INTERFACE(rs::IEncoderPlugin, RealSyn_IEncoderPlugin_iid)
