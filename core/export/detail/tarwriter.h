#pragma once
// A deterministic ustar writer over libarchive: every member gets mtime 0,
// uid/gid 0, no user/group names and mode 0644, so the same members in the
// same order give byte-identical archives that GNU tar, Python's tarfile and
// webdataset read.

#include "core/util/result.h"

#include <QByteArray>
#include <QString>

struct archive;

namespace rs::detail {

class TarWriter {
public:
    TarWriter() = default;
    ~TarWriter();
    TarWriter(const TarWriter &) = delete;
    TarWriter &operator=(const TarWriter &) = delete;

    Status open(const QString &path);
    Status add(const QString &name, const QByteArray &data);
    Status close(); // flushes; errors here mean the archive is incomplete

private:
    archive *m_archive = nullptr;
    QString m_path;
};

} // namespace rs::detail
