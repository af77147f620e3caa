#pragma once
// What a streaming source reader (JSONL, WebDataset tar) hands to its caller:
// one document, or a recorded failure for one position in the source. A
// broken line or member is data, not an abort: the reader records it and
// goes on with the next one.

#include "core/ingest/document.h"

#include <QString>

#include <functional>
#include <optional>

namespace rs {

// One item of a streamed source: a document, or a recorded failure for that position.
struct SourceItem {
    QString location;                 // "file.jsonl:123" (1-based line) or "shard.tar:member-or-key"
    std::optional<Document> document; // absent when the item is unusable
    QString error;                    // one line, set exactly when document is absent
};

// Called once per item, in source order, on the reader's thread. Return false
// to stop early (e.g. --limit); the reader then returns ok.
using SourceSink = std::function<bool(SourceItem &&item)>;

} // namespace rs
