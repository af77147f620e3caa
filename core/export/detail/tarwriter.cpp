#include "core/export/detail/tarwriter.h"

#include <QFile>

#include <archive.h>
#include <archive_entry.h>

namespace rs::detail {

namespace {
Error archiveError(archive *a, const QString &path)
{
    const char *msg = a ? archive_error_string(a) : nullptr;
    return makeError(ErrorCode::IoError, QStringLiteral("tar: ") + (msg ? QString::fromLocal8Bit(msg) : QStringLiteral("write failed")), path);
}
} // namespace

TarWriter::~TarWriter()
{
    if (m_archive) {
        archive_write_free(m_archive);
        m_archive = nullptr;
    }
}

Status TarWriter::open(const QString &path)
{
    m_path = path;
    m_archive = archive_write_new();
    if (!m_archive)
        return makeError(ErrorCode::Internal, QStringLiteral("cannot create tar writer"), path);
    archive_write_set_format_ustar(m_archive);
    archive_write_add_filter_none(m_archive);
    // One 512-byte record per block keeps the file as small as GNU tar's
    // and the padding deterministic.
    archive_write_set_bytes_per_block(m_archive, 10240);
    if (archive_write_open_filename(m_archive, QFile::encodeName(path).constData()) != ARCHIVE_OK)
        return archiveError(m_archive, path);
    return {};
}

Status TarWriter::add(const QString &name, const QByteArray &data)
{
    archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name.toUtf8().constData());
    archive_entry_set_size(e, data.size());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, 0, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    const int header = archive_write_header(m_archive, e);
    archive_entry_free(e);
    if (header != ARCHIVE_OK)
        return archiveError(m_archive, m_path);
    if (archive_write_data(m_archive, data.constData(), size_t(data.size())) != data.size())
        return archiveError(m_archive, m_path);
    return {};
}

Status TarWriter::close()
{
    if (!m_archive)
        return {};
    const int r = archive_write_close(m_archive);
    Status s = r == ARCHIVE_OK ? Status() : Status(archiveError(m_archive, m_path));
    archive_write_free(m_archive);
    m_archive = nullptr;
    return s;
}

} // namespace rs::detail
