//! Interchange with the tools and systems around the centres: incidents
//! written as GeoJSON (RFC 7946) and CSV (RFC 4180) for QGIS and
//! spreadsheets. Pure: each function turns incidents into bytes; the server
//! streams them page by page.

pub mod csv;
pub mod geojson;

/// A whole export of `incidents` in `format`, for writers that hold them
/// all (the console); the server writes the same pieces page by page.
pub fn document(format: Format, incidents: &[crate::model::Incident], bom: bool) -> Vec<u8> {
    match format {
        Format::Csv => {
            let mut out = if bom { csv::BOM.to_vec() } else { Vec::new() };
            out.extend(csv::header());
            out.extend(csv::rows(incidents));
            out
        }
        Format::GeoJson => {
            let mut out = geojson::START.to_string();
            out.push_str(&geojson::features(incidents, true));
            out.push_str(geojson::END);
            out.into_bytes()
        }
    }
}

/// The formats an export can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    GeoJson,
    Csv,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::GeoJson => "application/geo+json",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    /// From a `format=` value (`geojson`, `csv`).
    pub fn named(name: &str) -> Option<Format> {
        match name {
            "geojson" => Some(Format::GeoJson),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    /// What an `Accept` header asks for: the first of its media types that
    /// is one of ours, GeoJSON for anything (`*/*`, `application/*`, JSON),
    /// `None` when it names only what we cannot give.
    pub fn accepted(accept: &str) -> Option<Format> {
        let media: Vec<String> = accept
            .split(',')
            .map(|part| {
                part.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .collect();
        media
            .iter()
            .find_map(|m| match m.as_str() {
                "application/geo+json" => Some(Format::GeoJson),
                "text/csv" => Some(Format::Csv),
                _ => None,
            })
            .or_else(|| {
                let any = ["*/*", "application/*", "application/json"];
                media
                    .iter()
                    .any(|m| any.contains(&m.as_str()))
                    .then_some(Format::GeoJson)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_read_from_the_accept_header() {
        assert_eq!(Format::accepted("text/csv"), Some(Format::Csv));
        assert_eq!(
            Format::accepted("text/html, application/geo+json;q=0.9"),
            Some(Format::GeoJson)
        );
        assert_eq!(Format::accepted("*/*"), Some(Format::GeoJson));
        assert_eq!(Format::accepted("text/html"), None);
        assert_eq!(Format::named("csv"), Some(Format::Csv));
        assert_eq!(Format::named("xml"), None);
    }
}
