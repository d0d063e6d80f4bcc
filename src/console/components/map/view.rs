//! What part of the map is shown, and where a place falls on screen: an
//! equirectangular projection around the view's centre, a terminal cell
//! being about twice as tall as it is wide. Pure arithmetic, so the
//! drawing, the keys and the tests agree on every cell.

use ratatui::layout::Rect;

/// Kilometres per degree of latitude (and of longitude at the equator).
const KM_PER_DEG_LAT: f64 = 110.57;
const KM_PER_DEG_LON: f64 = 111.32;
/// A cell is about twice as tall as it is wide.
const CELL_ASPECT: f64 = 2.0;
/// Closest zoom: half a kilometre per column.
const MIN_KM_PER_COL: f64 = 0.5;
/// Libya with a margin: (west, south, east, north).
pub const LIBYA: (f64, f64, f64, f64) = (9.3, 19.4, 25.2, 33.3);

/// The view: its centre (where the cursor is) and its scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub lat: f64,
    pub lon: f64,
    /// Kilometres one column spans; `None` until the first fit to an area.
    pub km_per_col: Option<f64>,
}

impl Default for View {
    fn default() -> View {
        View {
            lat: (LIBYA.1 + LIBYA.3) / 2.0,
            lon: (LIBYA.0 + LIBYA.2) / 2.0,
            km_per_col: None,
        }
    }
}

/// The view laid on an area of the screen: degrees per cell and its edges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub area: Rect,
    pub west: f64,
    pub east: f64,
    pub south: f64,
    pub north: f64,
    pub km_per_col: f64,
    lon_per_col: f64,
    lat_per_row: f64,
}

/// The scale that shows all of Libya in an area of `w`×`h` cells.
pub fn fit_scale(w: u16, h: u16, lat: f64) -> f64 {
    let (west, south, east, north) = LIBYA;
    let w = f64::from(w.max(3) - 2);
    let h = f64::from(h.max(3) - 2);
    let across = (east - west) * KM_PER_DEG_LON * lat.to_radians().cos() / w;
    let down = (north - south) * KM_PER_DEG_LAT / (h * CELL_ASPECT);
    across.max(down).max(MIN_KM_PER_COL)
}

impl View {
    /// Shows all of Libya (the scale is set at the next draw).
    pub fn fit() -> View {
        View::default()
    }

    /// Where this view falls on `area`.
    pub fn frame(&self, area: Rect) -> Frame {
        let km = self
            .km_per_col
            .unwrap_or_else(|| fit_scale(area.width, area.height, self.lat));
        let lon_per_col = km / (KM_PER_DEG_LON * self.lat.to_radians().cos().max(0.1));
        let lat_per_row = km * CELL_ASPECT / KM_PER_DEG_LAT;
        let half_w = f64::from(area.width) / 2.0 * lon_per_col;
        let half_h = f64::from(area.height) / 2.0 * lat_per_row;
        Frame {
            area,
            west: self.lon - half_w,
            east: self.lon + half_w,
            south: self.lat - half_h,
            north: self.lat + half_h,
            km_per_col: km,
            lon_per_col,
            lat_per_row,
        }
    }

    /// Zooms by `factor` (½ zooms in) around the cursor, within sane bounds.
    pub fn zoom(&mut self, area: Rect, factor: f64) {
        let now = self.frame(area).km_per_col;
        let widest = fit_scale(area.width, area.height, self.lat) * 4.0;
        self.km_per_col = Some((now * factor).clamp(MIN_KM_PER_COL, widest));
    }

    /// Moves the centre by a fraction of the area's width and height.
    pub fn pan(&mut self, area: Rect, right: f64, up: f64) {
        let f = self.frame(area);
        self.lon = (self.lon + right * (f.east - f.west)).clamp(-180.0, 180.0);
        self.lat = (self.lat + up * (f.north - f.south)).clamp(-85.0, 85.0);
    }

    pub fn centre_on(&mut self, lat: f64, lon: f64) {
        if lat.is_finite() && lon.is_finite() {
            self.lat = lat.clamp(-85.0, 85.0);
            self.lon = lon.clamp(-180.0, 180.0);
        }
    }
}

impl Frame {
    /// The cell (column, row) holding (lat, lon), if it is in the area.
    pub fn cell(&self, lat: f64, lon: f64) -> Option<(u16, u16)> {
        let col = (lon - self.west) / self.lon_per_col;
        let row = (self.north - lat) / self.lat_per_row;
        let inside = col >= 0.0
            && row >= 0.0
            && col < f64::from(self.area.width)
            && row < f64::from(self.area.height);
        inside.then(|| (self.area.x + col as u16, self.area.y + row as u16))
    }

    /// The centre of a cell (absolute screen coordinates) as (lat, lon).
    pub fn at(&self, x: u16, y: u16) -> (f64, f64) {
        let col = f64::from(x.saturating_sub(self.area.x)) + 0.5;
        let row = f64::from(y.saturating_sub(self.area.y)) + 0.5;
        (
            self.north - row * self.lat_per_row,
            self.west + col * self.lon_per_col,
        )
    }

    /// The cursor's cell: the middle of the area.
    pub fn cursor(&self) -> (u16, u16) {
        (
            self.area.x + self.area.width / 2,
            self.area.y + self.area.height / 2,
        )
    }

    /// A round length in km whose bar spans at most `cols` columns, and its columns.
    pub fn scale_bar(&self, cols: u16) -> (u32, u16) {
        let steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000];
        let fits = |km: u32| (f64::from(km) / self.km_per_col).round() as u16;
        let km = steps
            .iter()
            .copied()
            .rev()
            .find(|km| fits(*km) <= cols && fits(*km) >= 2)
            .unwrap_or(1);
        (km, fits(km).clamp(1, cols.max(1)))
    }
}

/// Great-circle distance in km (the haversine), for "nearest first".
pub fn km_between(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().clamp(0.0, 1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREA: Rect = Rect {
        x: 0,
        y: 0,
        width: 120,
        height: 40,
    };

    #[test]
    fn the_fit_shows_all_of_libya_with_north_up_and_east_right() {
        let f = View::fit().frame(AREA);
        let corners = [(33.17, 9.39), (33.17, 25.15), (19.5, 9.39), (19.5, 25.15)];
        for (lat, lon) in corners {
            assert!(f.cell(lat, lon).is_some(), "{lat},{lon} off the map");
        }
        let (tx, ty) = f.cell(32.9, 13.18).unwrap(); // Tripoli
        let (bx, by) = f.cell(32.12, 20.08).unwrap(); // Benghazi
        let (kx, ky) = f.cell(24.18, 23.28).unwrap(); // Kufra
        let (gx, gy) = f.cell(24.96, 10.18).unwrap(); // Ghat
        assert!(tx < bx && ty <= by, "Benghazi east of Tripoli");
        assert!(ky > by && kx > bx, "Kufra south-east of Benghazi");
        assert!(gx < tx && gy > ty, "Ghat south-west of Tripoli");
        assert!(f.cell(36.8, 10.18).is_none(), "Tunis is off the fit");
    }

    #[test]
    fn a_cell_and_its_centre_agree_and_distances_are_true() {
        let f = View::fit().frame(AREA);
        let (x, y) = f.cell(32.93, 12.08).unwrap();
        let (lat, lon) = f.at(x, y);
        assert_eq!(f.cell(lat, lon), Some((x, y)));
        // Tripoli to Benghazi is about 645 km as the crow flies.
        let d = km_between((32.9, 13.18), (32.12, 20.08));
        assert!((d - 650.0).abs() < 20.0, "{d}");
        // So the columns between them say about the same.
        let (tx, _) = f.cell(32.9, 13.18).unwrap();
        let (bx, _) = f.cell(32.12, 20.08).unwrap();
        let by_cols = f64::from(bx - tx) * f.km_per_col;
        assert!((by_cols - d).abs() < d * 0.1, "{by_cols} vs {d}");
    }

    #[test]
    fn zoom_and_pan_keep_their_bounds() {
        let mut v = View::fit();
        let wide = v.frame(AREA).km_per_col;
        v.zoom(AREA, 0.5);
        assert!((v.frame(AREA).km_per_col - wide / 2.0).abs() < 1e-9);
        for _ in 0..40 {
            v.zoom(AREA, 0.5);
        }
        assert_eq!(v.frame(AREA).km_per_col, MIN_KM_PER_COL);
        for _ in 0..40 {
            v.zoom(AREA, 2.0);
        }
        assert!(v.frame(AREA).km_per_col <= wide * 4.0 + 1e-9);
        for _ in 0..1000 {
            v.pan(AREA, 0.25, 0.25);
        }
        assert!(v.lat <= 85.0 && v.lon <= 180.0);
        v.centre_on(f64::NAN, 3.0);
        assert!(v.lat.is_finite());
    }

    #[test]
    fn the_scale_bar_is_a_round_length_that_fits() {
        let f = View::fit().frame(AREA);
        let (km, cols) = f.scale_bar(16);
        assert!([100, 200, 500].contains(&km), "{km}");
        assert!((2..=16).contains(&cols));
        assert!((f64::from(cols) * f.km_per_col - f64::from(km)).abs() < f.km_per_col);
    }
}
