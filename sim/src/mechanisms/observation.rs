//! What the company can see of its customers' journeys
//! (docs/model.md, "What the company can see").
//!
//! The engine knows every touch; a company records far less. When journeys are
//! written, every path the engine records (the touches before an order, and the
//! touches of a prospect who had not bought by the horizon) is also passed through
//! this model, and both are kept: what really happened (`true_journeys.csv`) and
//! what the company could have observed (`journeys.csv`). Attribution on the second
//! against the true incremental effect measures what measurement loses. The model
//! runs only when journeys are written: it costs a run without them nothing.
//!
//! Per path (a path holds the last eight paid touches, oldest first):
//!
//! 1. **Consent.** A customer without consent (the privacy regime's consent rate,
//!    less the opt-outs) is not tracked: the order is seen, its touches are not, so
//!    nothing of the path is recorded.
//! 2. **Unrecorded touches.** A store visit goes unrecorded with chance
//!    [`ObservationSpec::store_unrecorded`] (no loyalty card, app or e-receipt at the
//!    till), or [`ObservationSpec::store_unrecorded_unified`] once unified customer
//!    data is live in the country; a print touch with chance
//!    [`ObservationSpec::print_unrecorded`] (flyers and out-of-home reach no one by
//!    name; addressed mail does).
//! 3. **Identities.** Each recorded touch lands on one of the customer's ids: the web
//!    id of a device (search, social, display: a cookie or device id), the known
//!    customer id (email, app, addressed print), or the store id (a loyalty card).
//!    A journey spread over two devices (chance [`ObservationSpec::multi_device_share`])
//!    has two web ids, each web touch on either at even odds. Without unified data
//!    the ids are strangers to one another; with unified data live in the country
//!    that week (identity resolution, a shared login) they are one customer.
//! 4. **The order** belongs to the id of the channel it is placed on: a web-shop
//!    order to the device of the path's last web touch (the first device when there
//!    is none), an app, mail or desk order to the customer id, a store order to the
//!    store id, unless the store sale itself goes unrecorded (the store share). The
//!    order keeps the touches of its id; every other id's touches are a stranger's
//!    path that never converted (a null); an order whose id holds no recorded touch
//!    loses its path.
//!
//! So observed journeys hold fewer converting paths than the true ones, and shorter
//! ones: unconsented and unrecorded touches drop out, and ids split a path in parts.
//!
//! ```
//! use omnimix_sim::Channel;
//! use omnimix_sim::mechanisms::observation::{ObservationSpec, ObservationStep, observe, path_code};
//! let path = path_code(&[Channel::Email, Channel::Search, Channel::Store]);
//! let spec = ObservationSpec {
//!     store_unrecorded: 1.0,
//!     store_unrecorded_unified: 1.0,
//!     ..ObservationSpec::default()
//! };
//! // without unified data: the web order keeps its web touch; email is a stranger's
//! // path; the store visit is never recorded
//! let silo = ObservationStep::new(&spec, false);
//! let o = observe(path, Some(Channel::Search.index() as u8), true, &silo, [u64::MAX; 3]);
//! assert_eq!(o.conversion, Some(path_code(&[Channel::Search])));
//! assert_eq!(o.nulls(), vec![path_code(&[Channel::Email])]);
//! // unified data stitches the ids: one path, only the store visit lost
//! let unified = ObservationStep::new(&spec, true);
//! let o = observe(path, Some(Channel::Search.index() as u8), true, &unified, [u64::MAX; 3]);
//! assert_eq!(o.conversion, Some(path_code(&[Channel::Email, Channel::Search])));
//! assert!(o.nulls().is_empty());
//! // without consent nothing is recorded
//! let o = observe(path, Some(Channel::Search.index() as u8), false, &unified, [0; 3]);
//! assert_eq!(o.conversion, None);
//! ```

use crate::agents::{CONSENT, JourneyEvent, Shard, state};
use crate::channel::Channel;
use crate::rng::{counter_draw, splitmix64};
use serde::{Deserialize, Serialize};

/// The `[observation]` table: what the company's data records of a journey.
///
/// Defaults are planning figures inside stated ranges (check against a company's own
/// match rates before relying on them):
/// - `store_unrecorded` 0.55 (range 0.40–0.70): without a loyalty programme, app or
///   e-receipts tied to a customer profile, most store visits and sales carry no
///   customer id;
/// - `store_unrecorded_unified` 0.20 (range 0.10–0.35): with unified data (loyalty
///   id, app and e-receipts in one profile) most store sales are identified;
/// - `print_unrecorded` 0.70 (range 0.50–0.90): the share of print that is flyers
///   and out-of-home rather than addressed mail;
/// - `multi_device_share` 0.35 (range 0.30–0.45): Criteo, *The State of Cross-Device
///   Commerce* H2 2016: 31 % of US, 36 % of UK and 33 % of German online retail
///   transactions involved two or more devices (4 in 10 in its Q3 2015 report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ObservationSpec {
    /// Chance that a store visit (or store sale) is never tied to a customer id
    /// without unified data.
    pub store_unrecorded: f64,
    /// The same once unified customer data is live in the country.
    pub store_unrecorded_unified: f64,
    /// Chance that a print touch is never tied to a customer id (flyers, out-of-home).
    pub print_unrecorded: f64,
    /// Share of journeys spread over two devices, each a separate web id without
    /// unified data.
    pub multi_device_share: f64,
}

impl Default for ObservationSpec {
    fn default() -> Self {
        ObservationSpec {
            store_unrecorded: 0.55,
            store_unrecorded_unified: 0.20,
            print_unrecorded: 0.70,
            multi_device_share: 0.35,
        }
    }
}

impl ObservationSpec {
    /// The fields as (name, value), for validation (each a share in 0–1).
    pub fn shares(&self) -> [(&'static str, f64); 4] {
        [
            ("store_unrecorded", self.store_unrecorded),
            ("store_unrecorded_unified", self.store_unrecorded_unified),
            ("print_unrecorded", self.print_unrecorded),
            ("multi_device_share", self.multi_device_share),
        ]
    }
}

/// The observation model of one country and step: chances as thresholds against
/// 16-bit draws (a draw below the threshold is the event).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ObservationStep {
    /// Unified customer data is live: one id per customer.
    pub unified: bool,
    /// Store visit or sale unrecorded.
    pub store_unrecorded: u32,
    /// Print touch unrecorded.
    pub print_unrecorded: u32,
    /// Journey spread over two devices (0 with unified data).
    pub multi_device: u32,
}

/// A chance as a threshold against a 16-bit draw (1 = every draw).
fn thr16(p: f64) -> u32 {
    (p.clamp(0.0, 1.0) * 65536.0).round() as u32
}

impl ObservationStep {
    /// The step's model from the scenario's table and whether unified customer data
    /// is live in the country this week.
    pub fn new(spec: &ObservationSpec, unified_live: bool) -> ObservationStep {
        ObservationStep {
            unified: unified_live,
            store_unrecorded: thr16(if unified_live {
                spec.store_unrecorded_unified
            } else {
                spec.store_unrecorded
            }),
            print_unrecorded: thr16(spec.print_unrecorded),
            multi_device: if unified_live {
                0
            } else {
                thr16(spec.multi_device_share)
            },
        }
    }
}

/// What the company records of one path: the order's path (if the order kept one)
/// and the paths of the strangers the other ids look like (0 = none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Observed {
    /// The converting path as recorded.
    pub conversion: Option<u32>,
    /// Recorded paths that look like journeys that never converted.
    pub nulls: [u32; IDS],
}

impl Observed {
    /// The non-empty null paths, in id order.
    pub fn nulls(&self) -> Vec<u32> {
        self.nulls.iter().copied().filter(|&p| p != 0).collect()
    }
}

/// Ids a customer can have without unified data: two web devices, the customer id,
/// the store id.
pub const IDS: usize = 4;
const WEB_A: usize = 0;
const WEB_B: usize = 1;
const KNOWN: usize = 2;
const STORE: usize = 3;

/// The id a sale on channel `c` belongs to (before unification), or `None` when it
/// goes unrecorded; `web` is the device of the path's last web touch.
fn sale_id(c: u8, web: usize, store_draw: u32, o: &ObservationStep) -> Option<usize> {
    match Channel::from_index(c as usize) {
        Some(Channel::Search | Channel::Social | Channel::Display) => Some(web),
        Some(Channel::Store) => (store_draw >= o.store_unrecorded).then_some(STORE),
        Some(_) => Some(KNOWN),
        None => None,
    }
}

/// What the company records of the path `path` (4-bit channel codes, newest lowest,
/// as [`crate::agents::Shard::path`]), converted on channel `sale` (`None`: not
/// converted), of a customer with or without `consent`, with three 64-bit draws:
/// `draws[0..2]` a 16-bit draw per touch, `draws[2]` the journey's device draw (low
/// 16 bits) and the store sale's (next 16).
pub fn observe(
    path: u32,
    sale: Option<u8>,
    consent: bool,
    o: &ObservationStep,
    draws: [u64; 3],
) -> Observed {
    let mut out = Observed::default();
    if !consent {
        return out;
    }
    let multi = (draws[2] & 0xFFFF) < o.multi_device as u64;
    let mut frags = [0u32; IDS];
    let mut web = WEB_A;
    for pos in (0..8).rev() {
        let nib = (path >> (4 * pos)) & 0xF;
        if nib == 0 {
            continue;
        }
        let u = ((draws[pos / 4] >> (16 * (pos % 4))) & 0xFFFF) as u32;
        let id = match Channel::from_index(nib as usize - 1) {
            Some(Channel::Search | Channel::Social | Channel::Display) => {
                web = if multi && u < 0x8000 { WEB_B } else { WEB_A };
                web
            }
            Some(Channel::Print) if u < o.print_unrecorded => continue,
            Some(Channel::Store) if u < o.store_unrecorded => continue,
            Some(Channel::Store) => STORE,
            Some(_) => KNOWN,
            None => continue,
        };
        let id = if o.unified { WEB_A } else { id };
        frags[id] = (frags[id] << 4) | nib;
    }
    if let Some(id) = sale.and_then(|c| sale_id(c, web, ((draws[2] >> 16) & 0xFFFF) as u32, o)) {
        let id = if o.unified { WEB_A } else { id };
        if frags[id] != 0 {
            out.conversion = Some(frags[id]);
            frags[id] = 0;
        }
    }
    out.nulls = frags;
    out
}

/// The observation key of a step's agent draws (an independent SplitMix64 sequence
/// beside the step's own, so observing changes no other draw).
#[inline]
pub fn observation_key(step_key: u64) -> u64 {
    splitmix64(step_key ^ 0x0B5E_4A71_0D5E_E000)
}

/// Agent `i`'s three observation draws under an observation key.
#[inline]
pub fn draws(obs_key: u64, i: usize) -> [u64; 3] {
    let at = (i as u64) * 3;
    [
        counter_draw(obs_key, at),
        counter_draw(obs_key, at + 1),
        counter_draw(obs_key, at + 2),
    ]
}

/// The path code of channels given oldest first (the last eight kept).
pub fn path_code(channels: &[Channel]) -> u32 {
    channels
        .iter()
        .fold(0u32, |p, c| (p << 4) | (c.index() as u32 + 1))
}

/// Journey events of one shard over one step: what happened, and what the company
/// recorded of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JourneyLog {
    /// True paths of the conversions and their values.
    pub true_events: Vec<JourneyEvent>,
    /// Recorded paths of the conversions that kept one, and their values.
    pub observed: Vec<JourneyEvent>,
    /// Recorded paths that look like journeys that never converted.
    pub observed_nulls: Vec<u32>,
}

impl JourneyLog {
    /// Record a conversion of `value` on channel `sale` after `path`, and what the
    /// company observed of it.
    #[inline]
    pub fn conversion(
        &mut self,
        path: u32,
        value: f32,
        sale: u8,
        consent: bool,
        o: &ObservationStep,
        draws: [u64; 3],
    ) {
        self.true_events.push((path, value));
        let seen = observe(path, Some(sale), consent, o, draws);
        if let Some(p) = seen.conversion {
            self.observed.push((p, value));
        }
        self.observed_nulls
            .extend(seen.nulls.iter().filter(|&&p| p != 0));
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.true_events.is_empty() && self.observed.is_empty() && self.observed_nulls.is_empty()
    }
}

/// What the company records of the paths of a shard's agents who had touches and
/// no order by the horizon (the true ones are [`Shard::null_paths`]): the recorded
/// paths, each a journey that never converted.
pub fn observed_null_paths(sh: &Shard, o: &ObservationStep, obs_key: u64, out: &mut Vec<u32>) {
    for i in 0..sh.len() {
        if sh.path[i] != 0 && sh.state[i] != state::CUSTOMER {
            let consent = sh.flags[i] & CONSENT != 0;
            let seen = observe(sh.path[i], None, consent, o, draws(obs_key, i));
            out.extend(seen.nulls.iter().filter(|&&p| p != 0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Channel::*;

    fn step(spec: &ObservationSpec, unified: bool) -> ObservationStep {
        ObservationStep::new(spec, unified)
    }

    fn len(p: u32) -> u32 {
        (0..8).filter(|k| (p >> (4 * k)) & 0xF != 0).count() as u32
    }

    #[test]
    fn everything_recorded_when_nothing_is_lost_and_data_is_unified() {
        let spec = ObservationSpec {
            store_unrecorded_unified: 0.0,
            print_unrecorded: 0.0,
            ..ObservationSpec::default()
        };
        let path = path_code(&[Print, Social, Email, Store, Search]);
        let o = observe(
            path,
            Some(Store.index() as u8),
            true,
            &step(&spec, true),
            [0; 3],
        );
        assert_eq!(o.conversion, Some(path));
        assert!(o.nulls().is_empty());
    }

    #[test]
    fn without_consent_nothing_is_recorded() {
        let path = path_code(&[Search, Email]);
        let o = observe(
            path,
            Some(Search.index() as u8),
            false,
            &step(&ObservationSpec::default(), true),
            [u64::MAX; 3],
        );
        assert_eq!(o, Observed::default());
    }

    #[test]
    fn ids_split_a_path_and_an_order_without_touches_on_its_id_loses_its_path() {
        let spec = ObservationSpec {
            store_unrecorded: 0.0,
            print_unrecorded: 0.0,
            multi_device_share: 0.0,
            ..ObservationSpec::default()
        };
        let path = path_code(&[Search, Email, Store, Social]);
        let silo = step(&spec, false);
        let o = observe(path, Some(Store.index() as u8), true, &silo, [u64::MAX; 3]);
        assert_eq!(o.conversion, Some(path_code(&[Store])));
        assert_eq!(
            o.nulls(),
            vec![path_code(&[Search, Social]), path_code(&[Email])]
        );
        // an app order: the customer id holds the email touch only
        let o = observe(path, Some(App.index() as u8), true, &silo, [u64::MAX; 3]);
        assert_eq!(o.conversion, Some(path_code(&[Email])));
        // a call-centre sale of a prospect touched on the web only: no path
        let web = path_code(&[Search, Display]);
        let o = observe(web, Some(CallCentre.index() as u8), true, &silo, [0; 3]);
        assert_eq!(o.conversion, None);
        assert_eq!(o.nulls(), vec![web]);
    }

    #[test]
    fn two_devices_are_two_strangers_and_the_order_follows_the_last_web_touch() {
        let spec = ObservationSpec {
            multi_device_share: 1.0,
            ..ObservationSpec::default()
        };
        let path = path_code(&[Search, Social]);
        // the newer touch (position 0, bits 0-15) on the first device, the older
        // (position 1, bits 16-31: 0) on the second
        let d = [0xFFFF_u64, 0, 0];
        let o = observe(
            path,
            Some(Search.index() as u8),
            true,
            &step(&spec, false),
            d,
        );
        assert_eq!(o.conversion, Some(path_code(&[Social])));
        assert_eq!(o.nulls(), vec![path_code(&[Search])]);
        // unified data: one id, no device split
        let o = observe(
            path,
            Some(Search.index() as u8),
            true,
            &step(&spec, true),
            d,
        );
        assert_eq!(o.conversion, Some(path));
    }

    #[test]
    fn unrecorded_store_sales_lose_their_path() {
        let spec = ObservationSpec {
            store_unrecorded: 1.0,
            ..ObservationSpec::default()
        };
        let path = path_code(&[Store, Store]);
        let o = observe(
            path,
            Some(Store.index() as u8),
            true,
            &step(&spec, false),
            [0; 3],
        );
        assert_eq!(o, Observed::default());
    }

    #[test]
    fn observed_paths_are_never_longer_and_hold_no_more_touches_than_the_true_one() {
        // every path of up to 8 touches over random draws: the recorded touches are a
        // subset of the true ones (each kept once), in the same order
        let spec = ObservationSpec::default();
        let mut seen_shorter = false;
        for k in 0..20_000u64 {
            let r = splitmix64(k);
            let n = 1 + (r % 8) as u32;
            let mut path = 0u32;
            for j in 0..n {
                path = (path << 4) | (((r >> (8 + 3 * j)) % 7) as u32 + 1);
            }
            let unified = k % 2 == 0;
            let d = [splitmix64(r), splitmix64(r ^ 1), splitmix64(r ^ 2)];
            let sale = (k % 3 != 0).then_some(((r >> 40) % 10) as u8);
            let o = observe(path, sale, k % 5 != 0, &step(&spec, unified), d);
            let total: u32 =
                o.nulls.iter().map(|&p| len(p)).sum::<u32>() + o.conversion.map_or(0, len);
            assert!(total <= n, "{path:x}: {o:?}");
            if let Some(c) = o.conversion {
                assert!(len(c) <= n);
                seen_shorter |= len(c) < n;
            }
            if sale.is_none() {
                assert_eq!(o.conversion, None);
            }
        }
        assert!(seen_shorter);
    }

    #[test]
    fn thresholds_match_the_chances() {
        let s = ObservationSpec::default();
        let o = step(&s, false);
        assert_eq!(o.store_unrecorded, (0.55f64 * 65536.0).round() as u32);
        assert_eq!(step(&s, true).multi_device, 0);
        assert_eq!(thr16(1.0), 65536);
        assert_eq!(thr16(0.0), 0);
    }
}
