#include "core/embed/embeddedimages.h"

#include "core/embed/embeddingstore.h"
#include "core/store/projectstore.h"

namespace rs {

Result<EmbeddedImages> loadEmbeddedImages(ProjectStore &store)
{
    auto emb = EmbeddingStore::openInProject(store, QStringLiteral("images"));
    if (!emb)
        return emb.error();
    EmbeddedImages out;
    // The images table, not the store's rows: a row may outlive its image.
    auto q = store.exec(QStringLiteral("SELECT id FROM images ORDER BY id"));
    if (!q)
        return q.error();
    while (q->next()) {
        const qint64 id = q->value(0).toLongLong();
        if ((*emb)->has(id))
            out.ids.push_back(id);
    }
    out.vectors = (*emb)->get(out.ids);
    return out;
}

} // namespace rs
