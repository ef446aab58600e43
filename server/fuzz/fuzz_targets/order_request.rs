//! Any bytes as the body of `POST /api/v1/orders`: no panic; a refusal is a 4xx that names
//! a field when it is about the data, and an accepted request names a real shape and colour.
#![no_main]

use app::{
    domain::{Colour, Shape},
    request::OrderRequest,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    match OrderRequest::parse(body) {
        Ok((shape, colour, _seed)) => {
            assert_eq!(Shape::parse(shape.name()), Ok(shape));
            assert_eq!(Colour::parse(colour.as_css()).as_ref(), Ok(&colour));
        }
        Err(error) => {
            let status = error.status();
            assert!(status == 400 || status == 422, "{status} for {error}");
            if status == 422 {
                assert!(error.field().is_some_and(|field| !field.is_empty()), "{error}");
            }
        }
    }
});
