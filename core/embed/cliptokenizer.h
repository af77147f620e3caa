#pragma once
// TEMPORARY STAND-IN (branch torchenc): the real CLIP BPE tokenizer is being
// written in parallel under this exact name and API; the merge replaces this
// header and cliptokenizer.cpp wholesale. The stand-in only checks that the
// merges file is there and maps words to stable fake ids, so that the
// TorchScript encoder's text path can be built and tested end to end.

#include "core/util/result.h"

#include <QString>
#include <QVector>

namespace rs {

class ClipTokenizer {
public:
    // Loads CLIP's BPE merges (bpe_simple_vocab_16e6.txt.gz).
    static Result<ClipTokenizer> load(const QString &mergesPath);

    // One text -> contextLength token ids: <start>, tokens, <end>, zero padding.
    QVector<qint64> tokenize(const QString &text, int contextLength = 77) const;

private:
    ClipTokenizer() = default;
};

} // namespace rs
