#pragma once
// Streaming reader for the two JSON-lines interleaved formats: MMC4
// (`text_list` + `image_info` with matched sentence indices) and OBELICS
// (`texts` / `images` lists aligned by position). The file is read one line
// at a time; only the current line is held in memory, and a line longer than
// maxLineBytes() is skipped (recorded as an error) without being buffered.
//
// Image references are resolved against a corpus root: a reference that is a
// URL is refused as "not_local", one that is absolute or escapes the root
// (including through a symlink) as "outside_corpus", one that names no
// readable regular file as "missing_file". Otherwise ImageRef::localPath is
// the canonical absolute path.
//
// Document keys are "<format>:<url>#<first 16 hex chars of sha1(line)>",
// where line is the raw line bytes without their line terminator, so reading
// the same file again yields the same keys.
//
// Not thread-safe; one reader per thread. read() may be called repeatedly.

#include "core/ingest/sourceitem.h"
#include "core/util/result.h"

#include <QString>

#include <atomic>

namespace rs {

class JsonlReader {
public:
    enum class Flavor { Mmc4, Obelics };

    static constexpr qint64 kDefaultMaxLineBytes = 64 * 1024 * 1024;

    // imagesRoot: folder that image files must be inside. MMC4: the
    // `--images DIR` folder (empty: every image is refused as missing_file).
    // OBELICS: empty means the JSONL file's own folder.
    JsonlReader(Flavor flavor, const QString &jsonlPath, const QString &imagesRoot);

    // Lines longer than this many bytes (terminator excluded) become error items.
    void setMaxLineBytes(qint64 bytes) { m_maxLineBytes = bytes; }
    qint64 maxLineBytes() const { return m_maxLineBytes; }

    // Streams every line to sink. Blank lines are skipped silently; a broken
    // line becomes a SourceItem with error ("line 17: invalid JSON (...)").
    // Returns an error only if the file cannot be opened (NotFound/IoError)
    // or cancel became true (Canceled); a sink returning false stops with ok.
    Status read(const SourceSink &sink, const std::atomic<bool> *cancel = nullptr);

private:
    Flavor m_flavor;
    QString m_path;
    QString m_imagesRoot;
    qint64 m_maxLineBytes = kDefaultMaxLineBytes;
};

} // namespace rs
