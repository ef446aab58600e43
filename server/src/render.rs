//! Rasterises the shared SVG scene to a PNG.

use app::domain::{Colour, Shape, scene};
use resvg::{tiny_skia, usvg};

/// Smallest and largest picture side, in pixels.
pub const SIZES: std::ops::RangeInclusive<u32> = 64..=4096;
/// The side of an ordered picture unless configured otherwise.
pub const DEFAULT_SIZE: u32 = 512;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("size must be between {min} and {max} pixels, not {0}", min = SIZES.start(), max = SIZES.end())]
    Size(u32),
    #[error("the scene is not valid SVG: {0}")]
    Svg(#[from] usvg::Error),
    #[error("could not encode the PNG: {0}")]
    Png(#[from] png::EncodingError),
}

/// Draws `shape` in `colour` as an opaque `size`×`size` PNG.
pub fn render_png(shape: Shape, colour: &Colour, seed: u32, size: u32) -> Result<Vec<u8>, RenderError> {
    let pixmap = rasterise(&scene::svg_on_white(shape, colour, seed), size)?;
    encode_png(&pixmap)
}

/// Rasterises an SVG document made by [`scene::svg`] or [`scene::svg_on_white`] onto white.
pub fn rasterise(svg: &str, size: u32) -> Result<tiny_skia::Pixmap, RenderError> {
    if !SIZES.contains(&size) {
        return Err(RenderError::Size(size));
    }
    let tree = usvg::Tree::from_str(svg, &usvg::Options::default())?;
    let mut pixmap = tiny_skia::Pixmap::new(size, size).ok_or(RenderError::Size(size))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let scale = size as f32 / tree.size().width();
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    Ok(pixmap)
}

/// Encodes an opaque pixmap. One colour on white with anti-aliased edges has a few dozen
/// colours at most, so it becomes a palette PNG at the smallest bit depth that holds them
/// (1, 2, 4 or 8 bits a pixel); only a picture of more than 256 colours is written as RGB.
/// Fast deflate (fdeflate) needs the adaptive row filter on palette data: unfiltered, a
/// plain circle came out at 105 KB; filtered, every shape is at most ~25 KB (BENCHMARKS.md).
pub fn encode_png(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, RenderError> {
    let (width, height) = (pixmap.width(), pixmap.height());
    let mut out = Vec::with_capacity(16 * 1024);
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::Filter::Adaptive);
    match palette_indices(pixmap) {
        Some((palette, indices)) => {
            let colours = palette.len() / 3;
            let bits: u8 = match colours {
                0..=2 => 1,
                3..=4 => 2,
                5..=16 => 4,
                _ => 8,
            };
            encoder.set_color(png::ColorType::Indexed);
            encoder.set_depth(match bits {
                1 => png::BitDepth::One,
                2 => png::BitDepth::Two,
                4 => png::BitDepth::Four,
                _ => png::BitDepth::Eight,
            });
            encoder.set_palette(palette);
            let packed = pack_rows(&indices, width as usize, bits);
            encoder.write_header()?.write_image_data(&packed)?;
        }
        None => {
            // Opaque, so premultiplied RGBA is plain RGBA: drop the alpha byte.
            let rgb: Vec<u8> = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
            encoder.set_depth(png::BitDepth::Eight);
            encoder.set_color(png::ColorType::Rgb);
            encoder.write_header()?.write_image_data(&rgb)?;
        }
    }
    Ok(out)
}

/// Packs one palette index a pixel into rows of `bits`-bit samples, first pixel in the
/// high bits, each row padded to a whole byte (as PNG lays them out).
fn pack_rows(indices: &[u8], width: usize, bits: u8) -> Vec<u8> {
    match bits {
        1 => pack::<1>(indices, width),
        2 => pack::<2>(indices, width),
        4 => pack::<4>(indices, width),
        _ => indices.to_vec(),
    }
}

/// [`pack_rows`] for one sample size, so the shifts are constants.
fn pack<const BITS: usize>(indices: &[u8], width: usize) -> Vec<u8> {
    let per_byte = 8 / BITS;
    let row_bytes = width.div_ceil(per_byte);
    let mut packed = vec![0u8; row_bytes * (indices.len() / width.max(1))];
    let sample = |acc: u8, &index: &u8| (acc << BITS) | index;
    for (pixels, out) in indices.chunks_exact(width).zip(packed.chunks_exact_mut(row_bytes)) {
        let whole = pixels.chunks_exact(per_byte);
        let rest = whole.remainder();
        for (samples, byte) in whole.zip(out.iter_mut()) {
            *byte = samples.iter().fold(0, sample);
        }
        if !rest.is_empty() {
            // First pixel in the high bits: a short last byte stays left-aligned.
            out[row_bytes - 1] = rest.iter().fold(0, sample) << (BITS * (per_byte - rest.len()));
        }
    }
    packed
}

/// The RGB palette and one index per pixel, or `None` past 256 colours.
///
/// Pixels are compared as whole words (the pixmap is opaque, so RGBA is the colour) and
/// handled a run of one colour at a time: a picture of one colour on white is mostly long
/// runs, each looked up once and written with a fill.
fn palette_indices(pixmap: &tiny_skia::Pixmap) -> Option<(Vec<u8>, Vec<u8>)> {
    // Open addressing over a small table: colours are few, lookups happen once a run, and
    // a general-purpose hash map costs more than the rest.
    const SLOTS: usize = 1024;
    let mut slots = [(0u32, 0u16); SLOTS]; // (colour, palette index + 1); index 0 is empty
    let mut palette: Vec<u8> = Vec::with_capacity(256 * 3);
    let pixels = pixmap.pixels();
    let mut indices = vec![0u8; pixels.len()];
    let mut start = 0;
    while let Some(&first) = pixels.get(start) {
        let run = run_length(&pixels[start..]);
        let colour = u32::from_le_bytes([first.red(), first.green(), first.blue(), first.alpha()]);
        let mut slot = (colour.wrapping_mul(0x9E37_79B1) >> 22) as usize % SLOTS;
        let index = loop {
            match slots[slot] {
                (_, 0) => {
                    let next = u8::try_from(palette.len() / 3).ok()?;
                    palette.extend_from_slice(&colour.to_le_bytes()[..3]);
                    slots[slot] = (colour, u16::from(next) + 1);
                    break next;
                }
                (taken, index) if taken == colour => break (index - 1) as u8,
                _ => slot = (slot + 1) % SLOTS,
            }
        };
        indices[start..start + run].fill(index);
        start += run;
    }
    Some((palette, indices))
}

/// How many pixels from the first have its colour; compared a block at a time while the
/// run lasts, as most runs are long.
fn run_length(pixels: &[tiny_skia::PremultipliedColorU8]) -> usize {
    const BLOCK: usize = 16;
    let Some(&first) = pixels.first() else { return 0 };
    let same = [first; BLOCK];
    let whole = pixels.chunks_exact(BLOCK).take_while(|block| *block == same).count() * BLOCK;
    whole + pixels[whole..].iter().take_while(|&&p| p == first).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(png_bytes: &[u8]) -> (u32, Vec<u8>) {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap_or_else(|e| panic!("{e}"));
        let mut buffer = vec![0; reader.output_buffer_size().unwrap_or(0)];
        let info = reader.next_frame(&mut buffer).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(info.color_type, png::ColorType::Rgb, "palette expands to RGB, no alpha");
        buffer.truncate(info.buffer_size());
        (info.width, buffer)
    }

    fn pixel(rgb: &[u8], width: u32, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * width + x) * 3) as usize;
        [rgb[i], rgb[i + 1], rgb[i + 2]]
    }

    #[test]
    fn square_and_circle_have_the_colour_at_the_centre_and_white_corners() {
        let colour = Colour::parse("rebeccapurple").unwrap_or_else(|e| panic!("{e}"));
        for shape in [Shape::Square, Shape::Circle] {
            let png_bytes = render_png(shape, &colour, 1, 512).unwrap_or_else(|e| panic!("{e}"));
            let (width, rgb) = decode(&png_bytes);
            assert_eq!(width, 512);
            assert_eq!(pixel(&rgb, width, 256, 256), [0x66, 0x33, 0x99], "{shape} centre");
            for (x, y) in [(0, 0), (511, 0), (0, 511), (511, 511), (20, 20)] {
                assert_eq!(pixel(&rgb, width, x, y), [255, 255, 255], "{shape} corner {x},{y}");
            }
        }
    }

    #[test]
    fn every_shape_renders_the_same_bytes_for_the_same_seed_at_any_allowed_size() {
        let colour = Colour::parse("indigo").unwrap_or_else(|e| panic!("{e}"));
        for shape in Shape::ALL {
            for size in [64, 512] {
                let first = render_png(shape, &colour, 11, size).unwrap_or_else(|e| panic!("{e}"));
                let again = render_png(shape, &colour, 11, size).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(first, again, "{shape} at {size}");
                assert_eq!(decode(&first).0, size);
            }
        }
    }

    #[test]
    fn leaving_out_the_background_changes_no_pixel() {
        let colour = Colour::parse("rgba(200, 40, 90, 0.6)").unwrap_or_else(|e| panic!("{e}"));
        for shape in Shape::ALL {
            let with_background =
                rasterise(&scene::svg(shape, &colour, 5), 256).unwrap_or_else(|e| panic!("{e}"));
            let drawn =
                rasterise(&scene::svg_on_white(shape, &colour, 5), 256).unwrap_or_else(|e| panic!("{e}"));
            assert!(with_background.data() == drawn.data(), "{shape}");
        }
    }

    #[test]
    fn sizes_outside_the_range_are_refused() {
        let colour = Colour::parse("red").unwrap_or_else(|e| panic!("{e}"));
        for size in [0, 63, 4097] {
            assert!(
                matches!(render_png(Shape::Square, &colour, 0, size), Err(RenderError::Size(s)) if s == size)
            );
        }
    }

    #[test]
    fn pictures_are_small_palette_pngs() {
        let colour = Colour::parse("indigo").unwrap_or_else(|e| panic!("{e}"));
        for shape in Shape::ALL {
            let png_bytes = render_png(shape, &colour, 42, 512).unwrap_or_else(|e| panic!("{e}"));
            let decoder = png::Decoder::new(std::io::Cursor::new(&png_bytes));
            let info = decoder.read_info().unwrap_or_else(|e| panic!("{e}")).info().clone();
            assert_eq!(info.color_type, png::ColorType::Indexed, "{shape}");
            assert!(png_bytes.len() <= 30 * 1024, "{shape}: {} bytes", png_bytes.len());
        }
    }

    #[test]
    fn packing_puts_the_first_pixel_in_the_high_bits_and_pads_rows() {
        assert_eq!(pack_rows(&[1, 0, 1, 1, 0, 0, 0, 0, 1, 1], 5, 1), vec![0b1011_0000, 0b0001_1000]);
        assert_eq!(pack_rows(&[3, 2, 1], 3, 2), vec![0b1110_0100]);
        assert_eq!(pack_rows(&[0xa, 0x5, 0x1, 0xf], 2, 4), vec![0xa5, 0x1f]);
    }

    #[test]
    fn many_colours_fall_back_to_rgb() {
        let mut pixmap = tiny_skia::Pixmap::new(32, 32).unwrap_or_else(|| panic!("pixmap"));
        for (i, p) in pixmap.data_mut().chunks_exact_mut(4).enumerate() {
            p.copy_from_slice(&[i as u8, (i >> 8) as u8, 0, 255]);
        }
        let (width, rgb) = decode(&encode_png(&pixmap).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(pixel(&rgb, width, 5, 10), [(10 * 32 + 5) as u8, 1, 0]);
    }
}
