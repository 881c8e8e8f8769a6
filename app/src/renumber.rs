//! The prompt's "image 1" … "image N" after the reference list was reordered or
//! shortened: each number follows its image to the new place.

/// Where each image went: `moved[n]` is the new place (from 0) of the image that was at
/// place `n`, `None` if it was removed.
pub type Moves = Vec<Option<usize>>;

/// The moves for taking the image at `from` out and putting it at `to`, in a list of `len`.
pub fn moved(len: usize, from: usize, to: usize) -> Moves {
    let mut order: Vec<usize> = (0..len).collect();
    let item = order.remove(from);
    order.insert(to.min(len - 1), item);
    let mut moves = vec![None; len];
    for (place, old) in order.into_iter().enumerate() {
        moves[old] = Some(place);
    }
    moves
}

/// The moves for removing the image at `at` from a list of `len`.
pub fn removed(len: usize, at: usize) -> Moves {
    (0..len).map(|n| if n == at { None } else { Some(if n > at { n - 1 } else { n }) }).collect()
}

/// `prompt` with every "image N" (any case) renumbered by `moves`; a number that names
/// no image, or a removed one, is left as written.
pub fn renumber(prompt: &str, moves: &[Option<usize>]) -> String {
    let mut out = String::with_capacity(prompt.len());
    let mut rest = prompt;
    while let Some((before, number, after)) = next_mention(rest) {
        out.push_str(before);
        let new = number.parse::<usize>().ok().and_then(|n| moves.get(n.checked_sub(1)?).copied().flatten());
        match new {
            Some(place) => out.push_str(&(place + 1).to_string()),
            None => out.push_str(number),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Whether `prompt` names an image by number.
pub fn mentions(prompt: &str) -> bool {
    next_mention(prompt).is_some()
}

/// The text up to and including "image ", the digits after it, and the rest.
fn next_mention(text: &str) -> Option<(&str, &str, &str)> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("image ") {
        let start = from + found;
        let digits_at = start + "image ".len();
        let digits = text[digits_at..].bytes().take_while(u8::is_ascii_digit).count();
        let word_start = start == 0 || !text.as_bytes()[start - 1].is_ascii_alphanumeric();
        if digits > 0 && word_start {
            return Some((&text[..digits_at], &text[digits_at..digits_at + digits], &text[digits_at + digits..]));
        }
        from = digits_at;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_their_images() {
        let prompt = "Put the hat from image 3 on the dog in Image 1; keep image 2's light.";
        // Image 3 moves to the front: 3 → 1, 1 → 2, 2 → 3.
        assert_eq!(
            renumber(prompt, &moved(3, 2, 0)),
            "Put the hat from image 1 on the dog in Image 2; keep image 3's light."
        );
        // Image 1 removed: 2 → 1, 3 → 2; "image 1" names a removed image and stays.
        assert_eq!(
            renumber(prompt, &removed(3, 0)),
            "Put the hat from image 2 on the dog in Image 1; keep image 1's light."
        );
    }

    #[test]
    fn only_whole_mentions_count() {
        assert!(!mentions("an image of a cat"));
        assert!(!mentions("myimage 2"));
        assert!(mentions("image 10 — é"));
        assert_eq!(renumber("image 12 and image 2é", &moved(2, 1, 0)), "image 12 and image 1é");
    }
}
