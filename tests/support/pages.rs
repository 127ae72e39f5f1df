//! An article page as an outlet serves it, shared by the tests that fetch one from 127.0.0.1.

/// A Spanish article of eight paragraphs (more than one batch for the translator) behind a
/// menu, with `picture` as its `og:image` where given.
pub fn spanish_page(picture: Option<&str>) -> String {
    let body: String = (1..=8)
        .map(|i| {
            format!(
                "<p>Párrafo {i}: las lluvias cerraron el puerto de Santos y los barcos esperan \
                 en el mar mientras el agua baja lentamente en los muelles de la ciudad.</p>"
            )
        })
        .collect();
    let picture = picture
        .map(|url| format!("<meta property=\"og:image\" content=\"{url}\">"))
        .unwrap_or_default();
    format!(
        "<html lang=\"es\"><head><title>Las lluvias cierran el puerto de Santos durante una \
         semana</title>{picture}</head><body><nav><a href=\"/\">Portada</a></nav><article>{body}\
         </article></body></html>"
    )
}
