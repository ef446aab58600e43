//! The artist: builds the SVG picture of a shape in a colour.
//!
//! Pure code shared by the browser (thumbnails, live preview) and the server (rasterised
//! PNGs), so both draw exactly the same picture for the same `(shape, colour, seed)`.

use super::{colour::Colour, shape::Shape};
use std::fmt::Write;

/// Side of the SVG coordinate space; renderers scale it to any output size.
pub const CANVAS: f64 = 512.0;
/// White border around the picture: 1/8 of the side.
pub const MARGIN: f64 = CANVAS / 8.0;
const INNER: f64 = CANVAS - 2.0 * MARGIN;
const STROKE: f64 = 4.0;

/// A small, fast, portable PRNG (SplitMix64). Its output is fixed by this code, not by a
/// crate version, so a stored seed redraws the same picture forever.
#[derive(Clone, Debug)]
pub struct SeededRng(u64);

impl SeededRng {
    pub fn new(seed: u32) -> Self {
        Self(u64::from(seed) ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An integer in `[0, n)`; `n` must be positive.
    pub fn below(&mut self, n: u32) -> u32 {
        (((self.next_u64() >> 32) * u64::from(n)) >> 32) as u32
    }
}

/// The SVG document for `shape` in `colour`; `seed` drives the pattern shapes.
/// The document has a `viewBox` of [`CANVAS`]² and no fixed size, so it scales to its box.
pub fn svg(shape: Shape, colour: &Colour, seed: u32) -> String {
    document(shape, colour, seed, true)
}

/// [`svg`] without its white background, for a renderer that starts from white anyway
/// (painting the background again costs a pass over every pixel).
pub fn svg_on_white(shape: Shape, colour: &Colour, seed: u32) -> String {
    document(shape, colour, seed, false)
}

fn document(shape: Shape, colour: &Colour, seed: u32, background: bool) -> String {
    let mut rng = SeededRng::new(seed);
    let paint = Paint::new(colour);
    let mut body = String::with_capacity(4096);
    match shape {
        Shape::Square => square(&mut body, &paint),
        Shape::Circle => circle(&mut body, &paint),
        Shape::HypnoticSquares => hypnotic_squares(&mut body, &paint, &mut rng),
        Shape::TiledLines => tiled_lines(&mut body, &paint, &mut rng),
        Shape::Voronoi => voronoi(&mut body, &paint, &mut rng),
    }
    let background = if background {
        format!("<rect width=\"{CANVAS}\" height=\"{CANVAS}\" fill=\"#ffffff\"/>")
    } else {
        String::new()
    };
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {CANVAS} {CANVAS}\">{background}{body}</svg>"
    )
}

struct Paint {
    hex: String,
    opacity: String,
}

impl Paint {
    fn new(colour: &Colour) -> Self {
        let opacity = if colour.rgba()[3] == 255 {
            String::new()
        } else {
            format!(" opacity=\"{:.3}\"", colour.opacity())
        };
        Self { hex: colour.hex_rgb(), opacity }
    }

    fn fill(&self) -> String {
        format!("fill=\"{}\"{}", self.hex, self.opacity)
    }

    /// Fills are grouped so a translucent colour does not darken where shapes overlap.
    fn fill_group(&self) -> String {
        format!("<g fill=\"{}\" fill-rule=\"nonzero\"{}>", self.hex, self.opacity)
    }

    /// Strokes are grouped so overlapping lines do not darken where they cross.
    fn stroke_group(&self) -> String {
        format!(
            "<g fill=\"none\" stroke=\"{}\" stroke-width=\"{STROKE}\" stroke-linecap=\"round\" \
             stroke-linejoin=\"round\"{}>",
            self.hex, self.opacity
        )
    }
}

fn square(out: &mut String, paint: &Paint) {
    let _ = write!(
        out,
        "<rect x=\"{MARGIN}\" y=\"{MARGIN}\" width=\"{INNER}\" height=\"{INNER}\" {}/>",
        paint.fill()
    );
}

fn circle(out: &mut String, paint: &Paint) {
    let centre = CANVAS / 2.0;
    let radius = INNER / 2.0;
    let _ = write!(out, "<circle cx=\"{centre}\" cy=\"{centre}\" r=\"{radius}\" {}/>", paint.fill());
}

/// 4×4 tiles, each a stack of nested squares that drift towards a random corner or edge.
/// Each square outline is filled as a ring (outer edge clockwise, inner edge counter-
/// clockwise) rather than stroked: the same picture, without the rasteriser's stroker.
fn hypnotic_squares(out: &mut String, paint: &Paint, rng: &mut SeededRng) {
    const TILES: u32 = 4;
    const SMALLEST: f64 = 6.0;
    let tile = INNER / f64::from(TILES);
    let half = STROKE / 2.0;
    out.push_str(&paint.fill_group());
    out.push_str("<path d=\"");
    for row in 0..TILES {
        for column in 0..TILES {
            let x0 = MARGIN + f64::from(column) * tile;
            let y0 = MARGIN + f64::from(row) * tile;
            let steps = 2 + rng.below(5);
            let drift_x = f64::from(rng.below(3)) - 1.0;
            let drift_y = f64::from(rng.below(3)) - 1.0;
            let largest = tile - STROKE;
            for step in 0..=steps {
                let t = f64::from(step) / f64::from(steps);
                let size = largest - (largest - SMALLEST) * t;
                let slack = (largest - size) / 2.0;
                let x = x0 + half + slack + drift_x * slack * t.sqrt();
                let y = y0 + half + slack + drift_y * slack * t.sqrt();
                let (outer, inner) = (size + STROKE, size - STROKE);
                let _ = write!(
                    out,
                    "M{:.2} {:.2}h{outer:.2}v{outer:.2}h-{outer:.2}ZM{:.2} {:.2}v{inner:.2}h{inner:.2}v-{inner:.2}Z",
                    x - half,
                    y - half,
                    x + half,
                    y + half,
                );
            }
        }
    }
    out.push_str("\"/></g>");
}

/// A 12×12 grid whose cells each hold one of the two diagonals, chosen at random.
/// Each diagonal is filled as a thin quad (butt ends, like the original canvas artist), all
/// wound the same way so the nonzero rule joins them where they meet.
fn tiled_lines(out: &mut String, paint: &Paint, rng: &mut SeededRng) {
    const CELLS: u32 = 12;
    let cell = INNER / f64::from(CELLS);
    // Half the stroke width along the normal of a 45° diagonal.
    let offset = STROKE / 2.0 / std::f64::consts::SQRT_2;
    out.push_str(&paint.fill_group());
    out.push_str("<path d=\"");
    for row in 0..CELLS {
        for column in 0..CELLS {
            let x = MARGIN + f64::from(column) * cell;
            let y = MARGIN + f64::from(row) * cell;
            let (start, end) = if rng.below(2) == 0 {
                ((x, y), (x + cell, y + cell))
            } else {
                ((x, y + cell), (x + cell, y))
            };
            // The normal is the direction turned a quarter left, so every quad has one winding.
            let direction = ((end.0 - start.0) / cell, (end.1 - start.1) / cell);
            let normal = (-direction.1 * offset, direction.0 * offset);
            let _ = write!(
                out,
                "M{:.2} {:.2}L{:.2} {:.2}L{:.2} {:.2}L{:.2} {:.2}Z",
                start.0 + normal.0,
                start.1 + normal.1,
                end.0 + normal.0,
                end.1 + normal.1,
                end.0 - normal.0,
                end.1 - normal.1,
                start.0 - normal.0,
                start.1 - normal.1,
            );
        }
    }
    out.push_str("\"/></g>");
}

/// Borders of the Voronoi cells of ten random points inside the frame.
fn voronoi(out: &mut String, paint: &Paint, rng: &mut SeededRng) {
    const POINTS: usize = 10;
    let sites: Vec<(f64, f64)> =
        (0..POINTS).map(|_| (MARGIN + rng.unit() * INNER, MARGIN + rng.unit() * INNER)).collect();
    out.push_str(&paint.stroke_group());
    out.push_str("<path d=\"");
    for (index, &site) in sites.iter().enumerate() {
        let cell = voronoi_cell(
            site,
            sites.iter().enumerate().filter(|(other, _)| *other != index).map(|(_, p)| *p),
        );
        for (i, (x, y)) in cell.iter().enumerate() {
            let _ = write!(out, "{}{x:.2} {y:.2}", if i == 0 { 'M' } else { 'L' });
        }
        if !cell.is_empty() {
            out.push('Z');
        }
    }
    out.push_str("\"/></g>");
}

/// The cell of `site`: the frame clipped by the half-plane nearer to `site` than to each
/// other point (Sutherland–Hodgman clipping of a convex polygon).
fn voronoi_cell(site: (f64, f64), others: impl Iterator<Item = (f64, f64)>) -> Vec<(f64, f64)> {
    let (low, high) = (MARGIN, MARGIN + INNER);
    let mut polygon = vec![(low, low), (high, low), (high, high), (low, high)];
    for other in others {
        // Points p with (p - mid)·(other - site) <= 0 are nearer to `site`.
        let normal = (other.0 - site.0, other.1 - site.1);
        let mid = ((site.0 + other.0) / 2.0, (site.1 + other.1) / 2.0);
        let side = |p: (f64, f64)| (p.0 - mid.0) * normal.0 + (p.1 - mid.1) * normal.1;
        let mut clipped = Vec::with_capacity(polygon.len() + 1);
        for (i, &current) in polygon.iter().enumerate() {
            let next = polygon[(i + 1) % polygon.len()];
            let (a, b) = (side(current), side(next));
            if a <= 0.0 {
                clipped.push(current);
            }
            if (a <= 0.0) != (b <= 0.0) {
                let t = a / (a - b);
                clipped.push((current.0 + (next.0 - current.0) * t, current.1 + (next.1 - current.1) * t));
            }
        }
        polygon = clipped;
        if polygon.is_empty() {
            break;
        }
    }
    polygon
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colour(text: &str) -> Colour {
        Colour::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn every_shape_is_the_same_picture_for_the_same_seed() {
        let indigo = colour("indigo");
        for shape in Shape::ALL {
            for seed in [0, 1, 42, u32::MAX] {
                assert_eq!(svg(shape, &indigo, seed), svg(shape, &indigo, seed), "{shape} {seed}");
            }
        }
    }

    #[test]
    fn pattern_shapes_change_with_the_seed_and_plain_ones_do_not() {
        let red = colour("red");
        for shape in [Shape::HypnoticSquares, Shape::TiledLines, Shape::Voronoi] {
            assert_ne!(svg(shape, &red, 1), svg(shape, &red, 2), "{shape}");
        }
        for shape in [Shape::Square, Shape::Circle] {
            assert_eq!(svg(shape, &red, 1), svg(shape, &red, 2), "{shape}");
        }
    }

    #[test]
    fn pictures_use_the_colour_on_white() {
        for shape in Shape::ALL {
            let picture = svg(shape, &colour("rebeccapurple"), 7);
            assert!(picture.contains("#663399"), "{shape}");
            assert!(picture.contains("fill=\"#ffffff\""), "{shape}");
        }
        let translucent = svg(Shape::Square, &colour("rgba(255, 0, 0, 0.5)"), 0);
        assert!(translucent.contains("opacity=\"0.502\""), "{translucent}");
    }

    #[test]
    fn voronoi_draws_ten_closed_cells_inside_the_margin() {
        let picture = svg(Shape::Voronoi, &colour("black"), 3);
        assert_eq!(picture.matches('Z').count(), 10);
        let path = picture.split("d=\"").nth(1).and_then(|rest| rest.split('"').next());
        let numbers = path
            .unwrap_or_default()
            .split(['M', 'L', 'Z', ' '])
            .filter_map(|token| token.parse::<f64>().ok());
        for n in numbers {
            assert!((MARGIN - 1e-6..=CANVAS - MARGIN + 1e-6).contains(&n), "{n} outside the frame");
        }
    }

    #[test]
    fn tiled_lines_has_one_diagonal_per_cell() {
        let picture = svg(Shape::TiledLines, &colour("black"), 9);
        assert_eq!(picture.matches('M').count(), 144);
    }

    #[test]
    fn rng_below_stays_in_range_and_covers_it() {
        let mut rng = SeededRng::new(5);
        let mut seen = [false; 3];
        for _ in 0..100 {
            let n = rng.below(3);
            assert!(n < 3);
            seen[n as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }
}
