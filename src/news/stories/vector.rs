//! Sparse vectors of term weights, sorted by term id, and dense sentence embeddings: the
//! sums, dot products and norms that story similarity is made of.

/// A sparse vector: (term id, weight), sorted by term id.
pub(super) type Vector = Vec<(u32, f32)>;

/// Whether a term of `a` that is a proper name is in `b` too.
pub(super) fn shares_proper(a: &Vector, b: &Vector, is_proper: impl Fn(u32) -> bool) -> bool {
    a.iter()
        .any(|&(term, _)| is_proper(term) && b.binary_search_by_key(&term, |&(t, _)| t).is_ok())
}

/// The sum of two sparse vectors, and the terms of `add` that `base` lacked.
pub(super) fn merge(base: &Vector, add: &Vector) -> (Vector, Vec<u32>) {
    let mut sum = Vec::with_capacity(base.len() + add.len());
    let mut added = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < base.len() || j < add.len() {
        match (base.get(i), add.get(j)) {
            (Some(&(a, wa)), Some(&(b, wb))) if a == b => {
                sum.push((a, wa + wb));
                i += 1;
                j += 1;
            }
            (Some(&(a, wa)), Some(&(b, _))) if a < b => {
                sum.push((a, wa));
                i += 1;
            }
            (Some(&entry), None) => {
                sum.push(entry);
                i += 1;
            }
            (_, Some(&(b, wb))) => {
                sum.push((b, wb));
                added.push(b);
                j += 1;
            }
            (None, None) => break,
        }
    }
    (sum, added)
}

/// The dot product of two sparse vectors; each of `a`'s terms is looked up in `b`.
pub(super) fn dot(a: &Vector, b: &Vector) -> f32 {
    a.iter()
        .filter_map(|&(term, w)| {
            b.binary_search_by_key(&term, |&(t, _)| t)
                .ok()
                .map(|k| w * b[k].1)
        })
        .sum()
}

pub(super) fn norm(v: &Vector) -> f32 {
    v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt()
}

/// The dot product of two dense vectors over the positions both have: 0 when either is
/// empty (an article or a story without an embedding).
pub(super) fn dense_dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Adds `add` to `sum`, which grows to `add`'s length first: an empty sum takes the first
/// embedding whole.
pub(super) fn dense_add(sum: &mut Vec<f32>, add: &[f32]) {
    if sum.len() < add.len() {
        sum.resize(add.len(), 0.0);
    }
    sum.iter_mut().zip(add).for_each(|(s, x)| *s += x);
}

/// `v` scaled to length 1; empty when it has no length or a number that is not finite, as an
/// embedding read from untrusted storage may.
pub(super) fn unit(v: &[f32]) -> Vec<f32> {
    let length = dense_dot(v, v).sqrt();
    if !length.is_finite() || length <= 0.0 {
        return Vec::new();
    }
    v.iter().map(|x| x / length).collect()
}

#[cfg(test)]
mod merge_tests {
    use super::*;

    #[test]
    fn sums_in_term_order_and_names_the_new_terms() {
        let base = vec![(1, 1.0), (3, 2.0)];
        let add = vec![(0, 0.5), (3, 1.0), (7, 4.0)];
        let (sum, added) = merge(&base, &add);
        assert_eq!(sum, [(0, 0.5), (1, 1.0), (3, 3.0), (7, 4.0)]);
        assert_eq!(added, [0, 7]);
        assert_eq!(merge(&Vec::new(), &Vec::new()), (Vec::new(), Vec::new()));
    }
}

#[cfg(test)]
mod dot_tests {
    use super::*;

    #[test]
    fn multiplies_the_shared_terms_only() {
        let a = vec![(1, 2.0), (4, 3.0)];
        let b = vec![(0, 9.0), (4, 0.5), (9, 1.0)];
        assert_eq!(dot(&a, &b), 1.5);
        assert_eq!(dot(&a, &Vec::new()), 0.0);
        assert_eq!(norm(&vec![(0, 3.0), (5, 4.0)]), 5.0);
    }
}

#[cfg(test)]
mod dense_tests {
    use super::*;

    #[test]
    fn sums_and_products_cover_the_positions_both_have() {
        let mut sum = Vec::new();
        dense_add(&mut sum, &[1.0, 2.0]);
        dense_add(&mut sum, &[0.5, 0.5, 3.0]);
        assert_eq!(sum, [1.5, 2.5, 3.0]);
        assert_eq!(dense_dot(&sum, &[2.0, 0.0]), 3.0);
        assert_eq!(dense_dot(&sum, &[]), 0.0);
    }

    #[test]
    fn a_unit_vector_has_length_one_and_bad_ones_none() {
        assert_eq!(unit(&[3.0, 4.0]), [0.6, 0.8]);
        assert!(unit(&[0.0, 0.0]).is_empty());
        assert!(unit(&[f32::NAN, 1.0]).is_empty());
        assert!(unit(&[f32::INFINITY]).is_empty());
        assert!(
            unit(&[f32::MAX, f32::MAX]).is_empty(),
            "its length overflows"
        );
        assert!(unit(&[]).is_empty());
    }
}

#[cfg(test)]
mod shares_proper_tests {
    use super::*;

    #[test]
    fn needs_a_shared_term_that_is_a_name() {
        let a = vec![(1, 1.0), (2, 1.0)];
        let b = vec![(2, 1.0), (3, 1.0)];
        assert!(shares_proper(&a, &b, |term| term == 2));
        assert!(!shares_proper(&a, &b, |term| term == 1 || term == 3));
    }
}
