#include "core/ingest/document.h"

#include <array>
#include <utility>

namespace rs {

namespace {
constexpr std::array<std::pair<BlockKind, const char *>, 9> kBlockKindNames{{
    {BlockKind::Body, "body"},
    {BlockKind::Heading, "heading"},
    {BlockKind::ListItem, "list_item"},
    {BlockKind::TableCell, "table_cell"},
    {BlockKind::Caption, "caption"},
    {BlockKind::Alt, "alt"},
    {BlockKind::Title, "title"},
    {BlockKind::Code, "code"},
    {BlockKind::Nav, "nav"},
}};
} // namespace

const char *blockKindKey(BlockKind kind)
{
    for (const auto &[k, name] : kBlockKindNames)
        if (k == kind)
            return name;
    return "body";
}

QString blockKindName(BlockKind kind)
{
    return QString::fromLatin1(blockKindKey(kind));
}

BlockKind blockKindFromName(const QString &name)
{
    for (const auto &[k, n] : kBlockKindNames)
        if (name == QLatin1String(n))
            return k;
    return BlockKind::Body;
}

} // namespace rs
