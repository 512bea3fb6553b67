//! The agents: one customer (or B2B account, or a cohort of `agent_scale`
//! identical customers) each, stored as structure-of-arrays per shard of
//! [`SHARD_SIZE`](crate::world::SHARD_SIZE) agents of one country.
//!
//! The hot loop ([`Shard::step`]) does no allocation, hashing or dynamic dispatch
//! (the vector step builds its few small tables once per shard and step, before
//! its loop).
//! Every agent owns [`DRAW_SLOTS`] numbered random draws per step (counter-based,
//! computed only when needed), so its numbers do not depend on what other agents
//! did, and two strategies run with the same seed see the same numbers (common
//! random numbers).
//!
//! Journey states: unaware → aware → considering → customer (repeat purchases) →
//! churned (win-back possible). Memory per agent: familiarity, satisfaction,
//! content fatigue (0–255 = 0–1), bad-experience count, preferred channel, last
//! channel used, channels used as a customer, consent flag, individual churn
//! propensity (sBG), and the recent touch path (last 8 touches, 4 bits each).

use crate::channel::{Channel, N_CHANNELS};
use crate::mechanisms::observation::{self, JourneyLog};
use crate::rng::{Purpose, counter_draw, stream, threshold};
use crate::step::StepParams;
use crate::world::{CountryModel, N_PAID, SHARD_SIZE};
use rand::Rng;

pub mod vector;

/// Journey state of an agent.
pub mod state {
    /// Has never heard of the brand.
    pub const UNAWARE: u8 = 0;
    /// Knows the brand.
    pub const AWARE: u8 = 1;
    /// Familiar enough to consider buying.
    pub const CONSIDERING: u8 = 2;
    /// Active customer.
    pub const CUSTOMER: u8 = 3;
    /// Former customer (can be won back).
    pub const CHURNED: u8 = 4;
    /// Number of states.
    pub const N: usize = 5;
}

/// Agent flag: consented to marketing contact and profiling.
pub const CONSENT: u8 = 1;
/// Agent flag: customer at week 0 (the cohort whose retention is reported).
pub const INITIAL: u8 = 2;
/// Agent flag: not a customer at week 0, and has bought since (a new customer,
/// counted once however often it churns and comes back).
pub const ACQUIRED: u8 = 4;
/// No channel (empty slot in `pref` / `last_ch`).
pub const NO_CHANNEL: u8 = 0xFF;
/// Numbered 64-bit draws each agent owns per step (see [`crate::rng::counter_draw`]).
pub const DRAW_SLOTS: u64 = 8;
/// Years of future margin counted in customer equity (a discounted sum; the
/// discount rate and churn make the tail small).
pub const EQUITY_YEARS: f64 = 10.0;
/// Bytes of agent state per agent (the sum of the field widths below).
pub const BYTES_PER_AGENT: usize = 9 + 2 * 2 + 4;

/// Counts and sums of one shard (or country, or company) over one step.
/// Counts are in agents; the engine multiplies by the agent scale.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StepTally {
    /// Paid touches delivered per channel (one per agent-week at most).
    pub touches: [u64; N_CHANNELS],
    /// New customers (first purchases and win-backs) per channel.
    pub conversions: [u64; N_CHANNELS],
    /// All orders per channel.
    pub purchases: [u64; N_CHANNELS],
    /// Revenue per channel.
    pub revenue: [f64; N_CHANNELS],
    /// Service contacts handled per channel (escalations counted on both).
    pub contacts: [u64; N_CHANNELS],
    /// Contacts that abandoned the queue.
    pub abandoned: [u64; N_CHANNELS],
    /// Served contacts that waited longer than the tolerance.
    pub long_waits: [u64; N_CHANNELS],
    /// Active customers at the end of the step, by preferred channel.
    pub active_by_pref: [u64; N_CHANNELS],
    /// Customers lost this step, by preferred channel.
    pub churned_by_pref: [u64; N_CHANNELS],
    /// Agents per journey state at the end of the step.
    pub states: [u64; state::N],
    /// Initial customers still active.
    pub initial_active: u64,
    /// Initial customers (constant; counted for convenience).
    pub initial: u64,
    /// Satisfied customers (satisfaction ≥ baseline − 0.05).
    pub satisfied: u64,
    /// Dissatisfied customers (satisfaction < baseline − 0.2).
    pub dissatisfied: u64,
    /// Customers who bought on two or more channels.
    pub omni_customers: u64,
    /// Consent withdrawn this step.
    pub optouts: u64,
    /// Inconsistency events this step.
    pub inconsistency: u64,
    /// Bad experiences (abandoned contact, failed delivery).
    pub bad_experiences: u64,
    /// Online orders not delivered.
    pub delivery_failures: u64,
    /// Agents that became customers for the first time this step (not customers
    /// at week 0): distinct new customers.
    pub first_customers: u64,
    /// Online orders picked up in store, per channel the order was placed on.
    pub bopis: [u64; N_CHANNELS],
    /// Orders placed on another channel than the one the customer last used (the
    /// journey moved between channels), per channel of the order.
    pub cross_channel: [u64; N_CHANNELS],
    /// Orders lost when the journey moved to another channel (the hand-over
    /// drop-off), per channel the customer moved to.
    pub handover_losses: [u64; N_CHANNELS],
}

impl StepTally {
    /// Add another tally (integer counts are exact; sums are added in call order).
    pub fn add(&mut self, o: &StepTally) {
        fn arr(a: &mut [u64; N_CHANNELS], b: &[u64; N_CHANNELS]) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        arr(&mut self.touches, &o.touches);
        arr(&mut self.conversions, &o.conversions);
        arr(&mut self.purchases, &o.purchases);
        arr(&mut self.contacts, &o.contacts);
        arr(&mut self.abandoned, &o.abandoned);
        arr(&mut self.long_waits, &o.long_waits);
        arr(&mut self.active_by_pref, &o.active_by_pref);
        arr(&mut self.churned_by_pref, &o.churned_by_pref);
        arr(&mut self.bopis, &o.bopis);
        arr(&mut self.cross_channel, &o.cross_channel);
        arr(&mut self.handover_losses, &o.handover_losses);
        self.revenue
            .iter_mut()
            .zip(&o.revenue)
            .for_each(|(x, y)| *x += y);
        self.states
            .iter_mut()
            .zip(&o.states)
            .for_each(|(x, y)| *x += y);
        self.initial_active += o.initial_active;
        self.initial += o.initial;
        self.satisfied += o.satisfied;
        self.dissatisfied += o.dissatisfied;
        self.omni_customers += o.omni_customers;
        self.optouts += o.optouts;
        self.inconsistency += o.inconsistency;
        self.bad_experiences += o.bad_experiences;
        self.delivery_failures += o.delivery_failures;
        self.first_customers += o.first_customers;
    }

    /// Active customers.
    pub fn customers(&self) -> u64 {
        self.states[state::CUSTOMER as usize]
    }

    /// Length of [`StepTally::write_words`]'s encoding.
    pub const WORDS: usize = 12 * N_CHANNELS + state::N + 10;

    /// Appends the tally as [`StepTally::WORDS`] 64-bit words (floats by their bits), so
    /// that processes can exchange tallies without losing a bit.
    ///
    /// ```
    /// use omnimix_sim::agents::StepTally;
    /// let mut t = StepTally::default();
    /// t.revenue[2] = 0.1 + 0.2;
    /// t.optouts = 7;
    /// let mut words = Vec::new();
    /// t.write_words(&mut words);
    /// assert_eq!(words.len(), StepTally::WORDS);
    /// assert_eq!(StepTally::read_words(&words), Some(t));
    /// ```
    pub fn write_words(&self, out: &mut Vec<u64>) {
        for a in [
            &self.touches,
            &self.conversions,
            &self.purchases,
            &self.contacts,
            &self.abandoned,
            &self.long_waits,
            &self.active_by_pref,
            &self.churned_by_pref,
            &self.bopis,
            &self.cross_channel,
            &self.handover_losses,
        ] {
            out.extend_from_slice(a);
        }
        out.extend(self.revenue.iter().map(|v| v.to_bits()));
        out.extend_from_slice(&self.states);
        out.extend_from_slice(&[
            self.initial_active,
            self.initial,
            self.satisfied,
            self.dissatisfied,
            self.omni_customers,
            self.optouts,
            self.inconsistency,
            self.bad_experiences,
            self.delivery_failures,
            self.first_customers,
        ]);
    }

    /// Reads a tally written by [`StepTally::write_words`] from the first
    /// [`StepTally::WORDS`] words; `None` when there are fewer.
    pub fn read_words(words: &[u64]) -> Option<StepTally> {
        let w = words.get(..Self::WORDS)?;
        let mut at = 0;
        let mut next = |n: usize| {
            let s = &w[at..at + n];
            at += n;
            s
        };
        let arr = |s: &[u64]| -> [u64; N_CHANNELS] { std::array::from_fn(|k| s[k]) };
        let touches = arr(next(N_CHANNELS));
        let conversions = arr(next(N_CHANNELS));
        let purchases = arr(next(N_CHANNELS));
        let contacts = arr(next(N_CHANNELS));
        let abandoned = arr(next(N_CHANNELS));
        let long_waits = arr(next(N_CHANNELS));
        let active_by_pref = arr(next(N_CHANNELS));
        let churned_by_pref = arr(next(N_CHANNELS));
        let bopis = arr(next(N_CHANNELS));
        let cross_channel = arr(next(N_CHANNELS));
        let handover_losses = arr(next(N_CHANNELS));
        let rev = next(N_CHANNELS);
        let revenue = std::array::from_fn(|k| f64::from_bits(rev[k]));
        let st = next(state::N);
        let states = std::array::from_fn(|k| st[k]);
        let r = next(10);
        Some(StepTally {
            touches,
            conversions,
            purchases,
            revenue,
            contacts,
            abandoned,
            long_waits,
            active_by_pref,
            churned_by_pref,
            states,
            initial_active: r[0],
            initial: r[1],
            satisfied: r[2],
            dissatisfied: r[3],
            omni_customers: r[4],
            optouts: r[5],
            inconsistency: r[6],
            bad_experiences: r[7],
            delivery_failures: r[8],
            first_customers: r[9],
            bopis,
            cross_channel,
            handover_losses,
        })
    }
}

/// A conversion's touch path and value, recorded for the journeys export.
pub type JourneyEvent = (u32, f32);

/// Structure-of-arrays storage of one shard's agents.
#[derive(Debug, Clone)]
pub struct Shard {
    /// Country index in the world.
    pub country: usize,
    /// Shard index within the country.
    pub index: usize,
    /// Journey state.
    pub state: Vec<u8>,
    /// Segment index within the country.
    pub segment: Vec<u8>,
    /// Preferred paid channel.
    pub pref: Vec<u8>,
    /// [`CONSENT`], [`INITIAL`].
    pub flags: Vec<u8>,
    /// Brand familiarity 0–255.
    pub familiarity: Vec<u8>,
    /// Satisfaction 0–255.
    pub satisfaction: Vec<u8>,
    /// Content fatigue 0–255.
    pub fatigue: Vec<u8>,
    /// Bad experiences as a customer.
    pub bad: Vec<u8>,
    /// Last channel used (touch, purchase or service), or [`NO_CHANNEL`].
    pub last_ch: Vec<u8>,
    /// Weekly churn propensity × 65535 (drawn from the segment's Beta).
    pub churn_p: Vec<u16>,
    /// Bit set of channels used as a customer.
    pub used: Vec<u16>,
    /// Last 8 touches since the last purchase, 4 bits each (channel + 1), newest lowest.
    pub path: Vec<u32>,
}

/// `x.round().clamp(0.0, 65535.0) as u16` (rounding half away from zero; NaN
/// gives 0) without a call to the C library's `round`, which the baseline
/// x86-64 instruction set has no instruction for.
#[inline]
pub fn round_to_u16(x: f64) -> u16 {
    if x >= 65535.0 {
        return 65535;
    }
    // the cast truncates towards zero and saturates (negative and NaN give 0);
    // below 2^16 the fraction x − t is exact
    let t = x as u32;
    (t + (x - t as f64 >= 0.5) as u32) as u16
}

/// Familiarity / satisfaction / fatigue as a byte.
#[inline]
pub fn q8(x: f64) -> u8 {
    (x.clamp(0.0, 1.0) * 255.0).round() as u8
}

impl Shard {
    /// Create shard `index` of `country` (index `ci` in the world) for a replication.
    pub fn new(
        seed: u64,
        replication: u32,
        ci: usize,
        index: usize,
        country: &CountryModel,
        consider: u8,
        baseline: u8,
    ) -> Shard {
        let n = country.shard_len(index);
        let mut rng = stream(
            seed,
            replication as u64,
            ci as u64,
            index as u64,
            0,
            Purpose::Init,
        );
        let mut sh = Shard {
            country: ci,
            index,
            state: vec![state::UNAWARE; n],
            segment: vec![0; n],
            pref: vec![NO_CHANNEL; n],
            flags: vec![0; n],
            familiarity: vec![0; n],
            satisfaction: vec![baseline; n],
            fatigue: vec![0; n],
            bad: vec![0; n],
            last_ch: vec![NO_CHANNEL; n],
            churn_p: vec![0; n],
            used: vec![0; n],
            path: vec![0; n],
        };
        let pref_weights: Vec<[f64; N_PAID]> = country
            .segments
            .iter()
            .map(|s| preference_weights(country, s))
            .collect();
        // each segment's weight total, summed once (in the same order as per agent)
        let pref_totals: Vec<f64> = pref_weights.iter().map(|w| w.iter().sum()).collect();
        let init_c = country.spec.initial_customer_share;
        let init_a = init_c + country.spec.initial_aware_share;
        let last_segment = country.segments.len().saturating_sub(1);
        for i in 0..n {
            // segment
            let u: f64 = rng.random();
            let mut acc = 0.0;
            let mut seg = last_segment;
            for (k, s) in country.segments.iter().enumerate() {
                acc += s.share;
                if u < acc {
                    seg = k;
                    break;
                }
            }
            sh.segment[i] = seg as u8;
            if rng.random::<f64>() < country.consent_rate {
                sh.flags[i] |= CONSENT;
            }
            let w = &pref_weights[seg];
            let u: f64 = rng.random::<f64>() * pref_totals[seg];
            let mut acc = 0.0;
            for (c, wc) in w.iter().enumerate() {
                acc += wc;
                if u < acc && *wc > 0.0 {
                    sh.pref[i] = c as u8;
                    break;
                }
            }
            let u: f64 = rng.random();
            let p = country.segments[seg]
                .churn
                .as_ref()
                .map_or(0.0, |q| q.sample(u));
            sh.churn_p[i] = round_to_u16(p * 65535.0);
            let u: f64 = rng.random();
            if u < init_c {
                sh.state[i] = state::CUSTOMER;
                sh.flags[i] |= INITIAL;
                sh.familiarity[i] = 255;
                if sh.pref[i] != NO_CHANNEL {
                    sh.used[i] = 1 << sh.pref[i];
                }
            } else if u < init_a {
                sh.state[i] = state::AWARE;
                sh.familiarity[i] = consider / 2;
            }
        }
        sh
    }

    /// Heap bytes held by the shard's agent columns (capacity, not length).
    pub fn heap_bytes(&self) -> usize {
        self.state.capacity()
            + self.segment.capacity()
            + self.pref.capacity()
            + self.flags.capacity()
            + self.familiarity.capacity()
            + self.satisfaction.capacity()
            + self.fatigue.capacity()
            + self.bad.capacity()
            + self.last_ch.capacity()
            + 2 * self.churn_p.capacity()
            + 2 * self.used.capacity()
            + 4 * self.path.capacity()
    }

    /// Number of agents.
    pub fn len(&self) -> usize {
        self.state.len()
    }

    /// True when the shard has no agents.
    pub fn is_empty(&self) -> bool {
        self.state.is_empty()
    }

    /// Advance every agent one step. Conversions with a non-empty path are pushed to
    /// `journeys` when it is given, with what the company observed of them.
    ///
    /// Where the processor has AVX-512 or AVX2, agents are stepped sixteen or
    /// eight at a time ([`vector`], at [`vector::level`]); otherwise one at a time.
    /// Every way gives the same numbers to the bit.
    pub fn step(
        &mut self,
        p: &StepParams,
        key: u64,
        journeys: Option<&mut JourneyLog>,
    ) -> StepTally {
        match vector::level() {
            Some(level) => vector::step(level, self, p, key, journeys),
            None => self.step_one_by_one(p, key, journeys),
        }
    }

    /// [`Shard::step`] one agent at a time (the reference the vector step is
    /// tested against, and the step where the processor has neither AVX-512 nor
    /// AVX2).
    pub fn step_one_by_one(
        &mut self,
        p: &StepParams,
        key: u64,
        mut journeys: Option<&mut JourneyLog>,
    ) -> StepTally {
        let mut t = StepTally::default();
        let obs_key = observation::observation_key(key);
        let mut cols = self.columns();
        for i in 0..cols.len() {
            agent_step(&mut cols, p, key, obs_key, i, &mut t, &mut journeys);
        }
        t
    }

    /// The agent columns as slices of one length.
    fn columns(&mut self) -> Columns<'_> {
        let n = self.len();
        Columns {
            states: &mut self.state[..n],
            segments: &self.segment[..n],
            prefs: &self.pref[..n],
            flags: &mut self.flags[..n],
            fams: &mut self.familiarity[..n],
            sats: &mut self.satisfaction[..n],
            fats: &mut self.fatigue[..n],
            bads: &mut self.bad[..n],
            lasts: &mut self.last_ch[..n],
            churns: &self.churn_p[..n],
            useds: &mut self.used[..n],
            paths: &mut self.path[..n],
        }
    }

    /// Customer equity of the shard's active customers (in agents, before the agent
    /// scale): each one's expected remaining margin, Σ_k m·(s/d)^k over
    /// [`EQUITY_YEARS`] years of steps, with m the expected margin of a step
    /// (repeat-purchase chance at the customer's satisfaction, omnichannel and
    /// personalisation multipliers, × order value × gross margin), s the chance
    /// of staying a step (1 − the customer's own churn hazard at that
    /// satisfaction) and d the discount factor of a step.
    pub fn equity(
        &self,
        p: &StepParams,
        margin: f64,
        discount_step: f64,
        steps_per_year: f64,
    ) -> f64 {
        let horizon = (EQUITY_YEARS * steps_per_year).round() as i32;
        let mut total = 0.0;
        for i in 0..self.len() {
            if self.state[i] != state::CUSTOMER {
                continue;
            }
            let sp = &p.segments[self.segment[i] as usize];
            let level = (self.satisfaction[i] >> 4) as usize;
            let mut q = sp.purchase_flat * p.sat_purchase[level];
            if self.used[i].count_ones() >= 2 {
                q *= p.omni_repeat;
            }
            if self.flags[i] & CONSENT != 0 {
                q *= sp.personalisation;
            }
            let m = q.min(1.0) * sp.order_value * margin;
            let hazard = (self.churn_p[i] as f64 * p.churn_mult[level] / 4_294_967_296.0).min(1.0);
            let x = (1.0 - hazard) / discount_step;
            total += m * if (1.0 - x).abs() < 1e-12 {
                horizon as f64
            } else {
                x * (1.0 - x.powi(horizon)) / (1.0 - x)
            };
        }
        total
    }

    /// Touch paths of agents that never converted (for the journeys export's nulls).
    pub fn null_paths(&self, out: &mut Vec<u32>) {
        for i in 0..self.len() {
            if self.path[i] != 0 && self.state[i] != state::CUSTOMER {
                out.push(self.path[i]);
            }
        }
    }
}

/// One shard's agent columns for one step (see [`Shard`] for each column).
struct Columns<'a> {
    states: &'a mut [u8],
    segments: &'a [u8],
    prefs: &'a [u8],
    flags: &'a mut [u8],
    fams: &'a mut [u8],
    sats: &'a mut [u8],
    fats: &'a mut [u8],
    bads: &'a mut [u8],
    lasts: &'a mut [u8],
    churns: &'a [u16],
    useds: &'a mut [u16],
    paths: &'a mut [u32],
}

impl Columns<'_> {
    /// The number of agents, checked to be every column's length (the vector step's
    /// loads and stores rely on it).
    fn len(&self) -> usize {
        let n = self.states.len();
        let lengths = [
            self.segments.len(),
            self.prefs.len(),
            self.flags.len(),
            self.fams.len(),
            self.sats.len(),
            self.fats.len(),
            self.bads.len(),
            self.lasts.len(),
            self.churns.len(),
            self.useds.len(),
            self.paths.len(),
        ];
        assert!(
            lengths.iter().all(|&l| l == n),
            "agent columns of one length"
        );
        n
    }
}

/// Agent `i`'s step: every mechanism, in the order docs/model.md describes them
/// (touch, word of mouth, purchase, service, churn, drift), with its tallies
/// added to `t`.
#[inline(always)]
fn agent_step(
    cols: &mut Columns,
    p: &StepParams,
    key: u64,
    obs_key: u64,
    i: usize,
    t: &mut StepTally,
    journeys: &mut Option<&mut JourneyLog>,
) {
    let store = Channel::Store.index();
    // Numbered draws of this agent (counter-based, computed on demand):
    // 0 touch/buy, 1 contact/route, 2 word of mouth/opt-out,
    // 3 inconsistency/churn, 4 delivery/leave, 5 outcome/pick.
    let slot = |k: u64| counter_draw(key, (i as u64) * DRAW_SLOTS + k);
    let lo = |k: u64| slot(k) as u32;
    let hi = |k: u64| (slot(k) >> 32) as u32;
    let r0 = slot(0);
    let (u_touch, u_buy) = (r0 as u32, (r0 >> 32) as u32);
    // slot 2 serves word of mouth (every non-customer) and the opt-out of a
    // touch: drawn once here, so that neither needs a branch to draw it
    let r2 = slot(2);
    let (u_wom, u_optout) = (r2 as u32, (r2 >> 32) as u32);

    let seg = cols.segments[i] as usize;
    let mut flags = cols.flags[i];
    let consent = flags & CONSENT != 0;
    let sp = &p.segments[seg];
    let mut st = cols.states[i];
    let mut fam = cols.fams[i] as i32;
    let mut sat = cols.sats[i] as i32;
    let mut fat = (cols.fats[i] as u32 * p.fatigue_keep_q8) >> 8;
    let pref = cols.prefs[i];
    let last = cols.lasts[i];
    let mut path = cols.paths[i];
    let mut used = cols.useds[i];

    // 1. Paid touch (at most one counts per step: the best-converting
    //    channel among those that reached the agent).
    let cum = &sp.touch_cum[consent as usize];
    let mut touched = NO_CHANNEL;
    // the touched channel if it takes orders, else NO_CHANNEL
    let mut touched_sale = NO_CHANNEL;
    if u_touch < cum[N_PAID - 1] {
        // the first k with u_touch < cum[k]: cum is non-decreasing, so it is
        // the number of bounds at or below the draw, counted without a branch
        // (a search loop's exit is mispredicted on most touches)
        let k = cum.iter().map(|&b| (u_touch >= b) as usize).sum::<usize>();
        let c = p.touch_order[k] as usize;
        touched = c as u8;
        t.touches[c] += 1;
        fat = (fat + p.fatigue_inc[c]).min(255);
        // (the threshold masked to 0 where the channel needs no consent: no
        // branch on the channel, which the count above leaves unpredictable)
        let optout_thr = p.optout_thr[(fat >> 4) as usize] & mask32(p.consent_channel[c]);
        if u_optout < optout_thr {
            flags &= !CONSENT;
            t.optouts += 1;
        }
        let cross = (last != NO_CHANNEL) & (last as usize != c);
        fam += if cross { sp.gain_cross[c] } else { sp.gain[c] } as i32;
        // a mismatch (price, stock, information) is noticed when the
        // customer meets the brand on a second channel
        if cross && lo(3) < p.inconsistency_thr {
            sat -= p.inconsistency_hit;
            t.inconsistency += 1;
        }
        path = (path << 4) | (c as u32 + 1);
        // a touchpoint that takes no orders (a flyer, a banner) does not
        // start a transaction, so the next order is no channel switch
        touched_sale = c as u8 | !mask8(p.takes_orders[c]);
    }

    // 2. Brand memory fades; word of mouth reaches non-customers.
    if st != state::CUSTOMER {
        fam = (fam * p.familiarity_keep_q8) >> 8;
        if u_wom < p.wom_pos_thr {
            fam += p.wom_gain;
        } else if u_wom < p.wom_any_thr {
            fam -= p.wom_gain;
        }
    }
    fam = fam.clamp(0, 255);
    if st == state::UNAWARE && fam > 0 {
        st = state::AWARE;
    }
    if st == state::AWARE && fam >= sp.consider_thr {
        st = state::CONSIDERING;
    } else if st == state::CONSIDERING && fam < sp.consider_thr / 2 {
        st = state::AWARE;
    }

    // 3. Conversion (prospects and churned) or repeat purchase (customers).
    let mut bought = NO_CHANNEL;
    // a draw at or above the segment's bound decides nothing this step:
    // the chance below is computed for the few draws under it
    let bound = &sp.buy_bound[(st == state::CUSTOMER) as usize];
    let may_buy = (u_buy as u64) < bound[(touched as usize).min(N_PAID)];
    if may_buy && (st == state::CONSIDERING || st == state::CHURNED) {
        let fat_f = p.fatigue_factor[(fat >> 4) as usize];
        let mut q = sp.organic;
        // what the hand-over drop-off took off this step's chance
        let mut lost = 0.0;
        if touched != NO_CHANNEL {
            let c = touched as usize;
            let mut x = sp.conv[c] * fat_f;
            if consent {
                x *= sp.personalisation;
            }
            if touched == pref {
                x *= p.pref_boost;
            }
            // a journey carried over from another channel loses some on
            // the switch; a touchpoint that takes no orders (a flyer) sends
            // the customer to the point of sale, which is no switch
            // (kept share 1 when there is no switch: x · (1 − 1) = 0 lost,
            // x · 1 = x, the same numbers without a branch)
            let switch = (last != NO_CHANNEL) & (last != touched_sale);
            let keep = [1.0, p.switch_keep][(switch & (touched_sale != NO_CHANNEL)) as usize];
            lost = x * (1.0 - keep);
            x *= keep;
            if c == store && has_online_research(path) {
                x *= p.ropo_conversion;
                lost *= p.ropo_conversion;
            }
            q += x;
        }
        if st == state::CHURNED {
            q *= p.winback;
            lost *= p.winback;
        }
        bought = buys(p, touched, pref, u_buy, q);
        if bought == NO_CHANNEL && lost > 0.0 && below(u_buy, q + lost) {
            handover_loss(p, t, touched, pref, u_buy, q + lost);
        }
        if bought != NO_CHANNEL {
            t.conversions[bought as usize] += 1;
            if flags & (INITIAL | ACQUIRED) == 0 {
                flags |= ACQUIRED;
                t.first_customers += 1;
            }
            st = state::CUSTOMER;
            sat = p.baseline as i32;
            cols.bads[i] = 0;
            used = 0;
        }
    } else if may_buy && st == state::CUSTOMER {
        let omni = used.count_ones() >= 2;
        let mut q = sp.purchase * p.sat_purchase[(sat.clamp(0, 255) >> 4) as usize];
        if omni {
            q *= p.omni_repeat;
        }
        if consent {
            q *= sp.personalisation;
        }
        let mut lost = 0.0;
        if touched != NO_CHANNEL {
            q *= sp.touch_purchase_boost[touched as usize];
            let switch = (last != NO_CHANNEL) & (last != touched_sale);
            let keep = [1.0, p.switch_keep][(switch & (touched_sale != NO_CHANNEL)) as usize];
            lost = q * (1.0 - keep);
            q *= keep;
        }
        bought = buys(p, touched, pref, u_buy, q);
        if bought == NO_CHANNEL && lost > 0.0 && below(u_buy, q + lost) {
            handover_loss(p, t, touched, pref, u_buy, q + lost);
        }
    }
    let mut bad_experience = false;
    if bought != NO_CHANNEL {
        let c = bought as usize;
        let omni = used.count_ones() >= 2;
        let mut value = sp.order_value;
        if p.online[c] {
            let picked = hi(5) < p.bopis_thr;
            if picked {
                value *= p.bopis_value;
                t.bopis[c] += 1;
            }
            if omni {
                value *= p.omni_online;
            }
            if !picked && lo(4) >= p.deliver_thr {
                value = 0.0;
                bad_experience = true;
                t.delivery_failures += 1;
            }
        } else {
            if omni {
                value *= p.omni_store;
            }
            if c == store && has_online_research(path) {
                value *= p.ropo_value;
            }
        }
        t.purchases[c] += 1;
        t.revenue[c] += value;
        if last != NO_CHANNEL && last != bought {
            t.cross_channel[c] += 1;
        }
        used |= 1 << c;
        if value > 0.0 {
            sat += p.purchase_gain;
        }
        if path != 0 {
            if let Some(j) = journeys.as_deref_mut() {
                let seen = (flags & CONSENT != 0, observation::draws(obs_key, i));
                j.conversion(path, value as f32, bought, seen.0, &p.observe, seen.1);
            }
            path = 0;
        }
    }

    // 4. Service contacts: customers with issues, prospects with questions.
    let contact_thr = match st {
        state::CUSTOMER => p.contact_thr,
        state::CONSIDERING => p.prospect_contact_thr,
        _ => 0,
    };
    let mut served_on = NO_CHANNEL;
    let mut sold_on = NO_CHANNEL;
    if contact_thr > 0 && lo(1) < contact_thr {
        // (a few agents a week: out of the loop, so that its registers
        // serve the common path)
        let c = service_contact(p, t, key, i, st, pref, &mut sat);
        (served_on, sold_on) = (c.served_on, c.sold_on);
        bad_experience |= c.bad;
    }
    if bad_experience {
        t.bad_experiences += 1;
        sat -= p.bad_hit;
        cols.bads[i] = cols.bads[i].saturating_add(1);
        // a prospect left without an answer may give up on the brand
        if st == state::CONSIDERING && hi(4) < p.prospect_lost_thr {
            st = state::AWARE;
            fam = sp.consider_thr / 2 - 1;
        }
    }
    if sold_on != NO_CHANNEL {
        let c = sold_on as usize;
        let value = sp.order_value;
        t.conversions[c] += 1;
        t.purchases[c] += 1;
        t.revenue[c] += value;
        st = state::CUSTOMER;
        sat = p.baseline as i32 + p.purchase_gain;
        cols.bads[i] = 0;
        used = 0;
        bought = sold_on;
        if let Some(j) = journeys.as_deref_mut() {
            let seen = (flags & CONSENT != 0, observation::draws(obs_key, i));
            j.conversion(path, value as f32, sold_on, seen.0, &p.observe, seen.1);
        }
        path = 0;
    }

    // 5. Churn: bad experiences make some customers leave at once; otherwise
    //    the individual sBG propensity scaled by satisfaction.
    if st == state::CUSTOMER {
        let sat_c = sat.clamp(0, 255);
        let leave_now = bad_experience && hi(4) < p.bad_leave_thr;
        let hazard = cols.churns[i] as f64 * p.churn_mult[(sat_c >> 4) as usize];
        if leave_now || (hi(3) as f64) < hazard {
            st = state::CHURNED;
            if pref != NO_CHANNEL {
                t.churned_by_pref[pref as usize] += 1;
            }
        }
    }

    // 6. Satisfaction drifts back towards the baseline.
    sat += ((p.baseline as i32 - sat) * p.drift_q8) >> 8;
    let sat = sat.clamp(0, 255);

    // Write back and tally.
    // the order's channel, else the touch's if it takes orders, else the
    // service channel, else the last one (selected without branches)
    let new_last = or_channel(
        bought,
        or_channel(touched_sale, or_channel(served_on, last)),
    );
    cols.states[i] = st;
    cols.flags[i] = flags;
    cols.fams[i] = fam as u8;
    cols.sats[i] = sat as u8;
    cols.fats[i] = fat as u8;
    cols.lasts[i] = new_last;
    cols.paths[i] = path;
    cols.useds[i] = used;
    t.states[st as usize] += 1;
    if flags & INITIAL != 0 {
        t.initial += 1;
    }
    if st == state::CUSTOMER {
        if pref != NO_CHANNEL {
            t.active_by_pref[pref as usize] += 1;
        }
        if flags & INITIAL != 0 {
            t.initial_active += 1;
        }
        if sat >= p.satisfied_min {
            t.satisfied += 1;
        } else if sat < p.dissatisfied_below {
            t.dissatisfied += 1;
        }
        if used.count_ones() >= 2 {
            t.omni_customers += 1;
        }
    }
}

/// Where a service contact went (step 4 of [`Shard::step`]).
struct Contact {
    /// The channel that handled it, or [`NO_CHANNEL`].
    served_on: u8,
    /// The desk whose agent sold to the prospect, or [`NO_CHANNEL`].
    sold_on: u8,
    /// Abandoned or unanswered.
    bad: bool,
}

/// Agent `i`'s service contact this step: routed to the store (store staff access),
/// a desk or the chatbot (escalated to a desk when it does not resolve), with its
/// outcome in `sat` and the tallies.
#[inline(never)]
fn service_contact(
    p: &StepParams,
    t: &mut StepTally,
    key: u64,
    i: usize,
    st: u8,
    pref: u8,
    sat: &mut i32,
) -> Contact {
    let slot = |k: u64| counter_draw(key, (i as u64) * DRAW_SLOTS + k);
    let lo = |k: u64| slot(k) as u32;
    let hi = |k: u64| (slot(k) >> 32) as u32;
    let store = Channel::Store.index();
    let bot = Channel::Chatbot.index();
    let mut c = Contact {
        served_on: NO_CHANNEL,
        sold_on: NO_CHANNEL,
        bad: false,
    };
    if pref as usize == store && hi(5) < p.store_access_thr {
        // resolved in store by staff with cross-channel access
        *sat += p.good_gain;
        c.served_on = store as u8;
    } else if hi(1) >= p.route_cum[2] {
        // no service channel is open: the contact goes unanswered
        c.bad = true;
    } else {
        let s = if hi(1) < p.route_cum[0] {
            Channel::CallCentre.index()
        } else if hi(1) < p.route_cum[1] {
            Channel::LiveChat.index()
        } else {
            bot
        };
        t.contacts[s] += 1;
        let mut desk = s;
        let mut v = lo(5);
        if s == bot {
            if v < p.bot_resolve_thr {
                *sat += p.good_gain / 2;
                desk = NO_CHANNEL as usize;
            } else {
                // escalate, rescaling the outcome draw to [0, 2^32)
                let span = (u32::MAX - p.bot_resolve_thr).max(1) as u64;
                v = (((v - p.bot_resolve_thr) as u64) << 32)
                    .checked_div(span)
                    .unwrap_or(0)
                    .min(u32::MAX as u64) as u32;
                desk = if hi(5) < p.escalate_to_call_thr {
                    Channel::CallCentre.index()
                } else {
                    Channel::LiveChat.index()
                };
                t.contacts[desk] += 1;
            }
        }
        if desk != NO_CHANNEL as usize {
            let d = &p.desks[desk];
            if v < d.abandon_thr {
                t.abandoned[desk] += 1;
                c.bad = true;
            } else {
                if v < d.long_thr {
                    t.long_waits[desk] += 1;
                    *sat -= p.long_wait_hit;
                } else {
                    *sat += d.good_gain;
                }
                // an agent who answers a prospect's question can sell
                if st == state::CONSIDERING && (slot(6) as u32) < p.desk_sell_thr[desk] {
                    c.sold_on = desk as u8;
                }
            }
        }
        c.served_on = s as u8;
    }
    c
}

/// The channel an agent buys through this step with purchase chance `q` and draw
/// `u_buy`, or [`NO_CHANNEL`]: the chance is cut by the point of sale's keep share,
/// and an agent with no open point of sale cannot buy. `keep <= 1`, so a draw above
/// `q` alone never buys and skips the lookup.
#[inline]
fn buys(p: &StepParams, touched: u8, pref: u8, u_buy: u32, q: f64) -> u8 {
    if !below(u_buy, q) {
        return NO_CHANNEL;
    }
    let (channel, keep) = point_of_sale(p, touched, pref);
    if channel != NO_CHANNEL && (u_buy as f64) < q * keep * 4_294_967_296.0 {
        channel
    } else {
        NO_CHANNEL
    }
}

/// `a`, or `b` when `a` is [`NO_CHANNEL`] (a select without a branch).
#[inline(always)]
fn or_channel(a: u8, b: u8) -> u8 {
    let none = mask8(a == NO_CHANNEL);
    (a & !none) | (b & none)
}

/// All ones when `b`, else 0.
#[inline(always)]
fn mask8(b: bool) -> u8 {
    (b as u8).wrapping_neg()
}

/// All ones when `b`, else 0.
#[inline(always)]
fn mask32(b: bool) -> u32 {
    (b as u32).wrapping_neg()
}

/// True when draw `u` falls below chance `q` (a `u32` draw against `q · 2³²`).
#[inline(always)]
fn below(u: u32, q: f64) -> bool {
    (u as f64) < q * 4_294_967_296.0
}

/// Counts an order lost at the hand-over: the draw that missed chance `q_without`
/// less the drop-off would have bought at `q_without`.
#[cold]
fn handover_loss(
    p: &StepParams,
    t: &mut StepTally,
    touched: u8,
    pref: u8,
    u_buy: u32,
    q_without: f64,
) {
    if buys(p, touched, pref, u_buy, q_without) != NO_CHANNEL {
        t.handover_losses[touched as usize] += 1;
    }
}

/// The point of sale of an order that starts on `touched` (else the preferred
/// channel) and the share of such orders kept: the touched channel when it is an
/// open point of sale, then the preferred one, else the nearest open one from the
/// preferred channel (a flyer reader buys in store, a banner clicker on the web
/// shop), with the moved orders' loss when that is not the natural one (the store
/// network is closed). `NO_CHANNEL` when nothing is open.
#[inline]
fn point_of_sale(p: &StepParams, touched: u8, pref: u8) -> (u8, f64) {
    if touched != NO_CHANNEL && p.sale_open[touched as usize] {
        return (touched, 1.0);
    }
    if pref != NO_CHANNEL && p.sale_open[pref as usize] {
        return (pref, 1.0);
    }
    let from = if pref != NO_CHANNEL { pref } else { touched };
    if from == NO_CHANNEL {
        return (NO_CHANNEL, 0.0);
    }
    (p.sale_fallback[from as usize], p.sale_keep[from as usize])
}

/// True when a touch path holds an online channel (research online, purchase offline).
#[inline]
fn has_online_research(path: u32) -> bool {
    let mut p = path;
    while p != 0 {
        let c = (p & 0xF) as usize;
        // search, social, display, email, app = indices 0..=4 (stored + 1)
        if (1..=5).contains(&c) {
            return true;
        }
        p >>= 4;
    }
    false
}

/// Channel names of a path code, oldest first.
pub fn path_channels(path: u32) -> Vec<Channel> {
    let mut out = Vec::with_capacity(8);
    for k in (0..8).rev() {
        let nib = (path >> (4 * k)) & 0xF;
        if nib != 0
            && let Some(c) = Channel::from_index(nib as usize - 1)
        {
            out.push(c);
        }
    }
    out
}

/// Preference weights over paid channels for a segment in a country: segment
/// preference × availability, with stores weighted by the offline share of retail
/// and online channels by the online share.
pub fn preference_weights(
    country: &CountryModel,
    seg: &crate::world::SegmentModel,
) -> [f64; N_PAID] {
    let mut w = [0.0; N_PAID];
    let online = country.spec.online_share.clamp(0.01, 0.99);
    for (c, wc) in w.iter_mut().enumerate() {
        if !country.available[c] {
            continue;
        }
        let split = if c == Channel::Store.index() || c == Channel::Print.index() {
            1.0 - online
        } else {
            online
        };
        *wc = seg.preference[c] * split;
    }
    w
}

/// Threshold of a per-step probability (re-exported for step compilation).
pub fn thr(p: f64) -> u32 {
    threshold(p)
}

const _: () = assert!(SHARD_SIZE.is_multiple_of(64));
// The memory target: at most 48 bytes per agent.
const _: () = assert!(BYTES_PER_AGENT <= 48);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_per_agent_matches_the_columns() {
        let s = crate::scenario::load::load(
            &crate::ScenarioSource::new(
                "t",
                "name='t'\n[finance]\nannual_budget=1e6\n[countries.DE]\npopulation=1000\n[strategy]\n",
            ),
            &[],
        )
        .unwrap();
        let w = crate::World::new(&s, &s.strategy);
        let sh = Shard::new(1, 0, 0, 0, &w.countries[0], 100, 150);
        assert_eq!(sh.heap_bytes(), BYTES_PER_AGENT * sh.len());
    }

    /// Every shard of a world stepped `steps` times with its compiled parameters,
    /// `unbounded` taking every purchase decision (no skip above the bound);
    /// the tallies and the agents' columns after each step.
    fn stepped(s: &crate::Scenario, steps: u32, unbounded: bool) -> Vec<(StepTally, Vec<u8>)> {
        stepped_by(s, steps, unbounded, Shard::step)
            .into_iter()
            .map(|(t, cols, _)| (t, cols))
            .collect()
    }

    /// Every column a step writes, as bytes.
    fn column_bytes(sh: &Shard) -> Vec<u8> {
        let mut cols = [
            &sh.state[..],
            &sh.flags,
            &sh.familiarity,
            &sh.satisfaction,
            &sh.fatigue,
            &sh.bad,
            &sh.last_ch,
        ]
        .concat();
        cols.extend(sh.used.iter().flat_map(|u| u.to_le_bytes()));
        cols.extend(sh.path.iter().flat_map(|u| u.to_le_bytes()));
        cols
    }

    type StepFn = fn(&mut Shard, &StepParams, u64, Option<&mut JourneyLog>) -> StepTally;

    /// The vector levels this processor has, with their step functions.
    fn vector_levels() -> Vec<(vector::Level, StepFn)> {
        fn avx512(
            sh: &mut Shard,
            p: &StepParams,
            key: u64,
            j: Option<&mut JourneyLog>,
        ) -> StepTally {
            vector::step(vector::Level::Avx512, sh, p, key, j)
        }
        fn avx2(sh: &mut Shard, p: &StepParams, key: u64, j: Option<&mut JourneyLog>) -> StepTally {
            vector::step(vector::Level::Avx2, sh, p, key, j)
        }
        let levels: Vec<(vector::Level, StepFn)> =
            vec![(vector::Level::Avx512, avx512), (vector::Level::Avx2, avx2)];
        // (none on a processor with neither: the comparisons then compare nothing,
        // and the step there is the one-agent step itself)
        levels.into_iter().filter(|(l, _)| l.available()).collect()
    }

    /// As [`stepped`], with the step function `step_fn` (given a journey log) and
    /// the journeys recorded after each step.
    fn stepped_by(
        s: &crate::Scenario,
        steps: u32,
        unbounded: bool,
        step_fn: StepFn,
    ) -> Vec<(StepTally, Vec<u8>, JourneyLog)> {
        let w = crate::World::new(s, &s.strategy);
        let mut out = Vec::new();
        for (ci, country) in w.countries.iter().enumerate() {
            let mut dynamics = crate::step::CountryDynamics::default();
            let mut sh = Shard::new(7, 0, ci, 0, country, 100, 150);
            dynamics.last = StepTally {
                states: [0, 0, 0, sh.len() as u64 / 5, 0],
                ..StepTally::default()
            };
            for step in 0..steps {
                let cut = crate::mechanisms::finance::Cut::NONE;
                let (mut p, _) = crate::step::compile(&w, ci, &mut dynamics, step, cut);
                if unbounded {
                    p.segments
                        .iter_mut()
                        .for_each(|sp| sp.buy_bound = [[u64::MAX; N_PAID + 1]; 2]);
                }
                let mut journeys = JourneyLog::default();
                let t = step_fn(&mut sh, &p, 0x5EED ^ step as u64, Some(&mut journeys));
                dynamics.last = t.clone();
                out.push((t, column_bytes(&sh), journeys));
            }
        }
        out
    }

    /// The default preset with `overrides`, every multiplier of a purchase
    /// chance neutral unless an override moves it (no fatigue effect, no
    /// preferred-channel boost, no hand-over drop-off, no omnichannel uplift), and
    /// the `initiatives` live from week 0 (no build delay) under a shared reward when
    /// there are any (unified data: personalisation; ROPO: research online,
    /// purchase offline; the shared reward: the store's service factor).
    fn bound_case(overrides: &[&str], initiatives: &[&str]) -> crate::Scenario {
        let text = include_str!("../../scenarios/global-retail.toml");
        let neutral = [
            "agent_scale=2000",
            "behaviour.fatigue_effect=0",
            "behaviour.preferred_channel_boost=1",
            "behaviour.switch_dropoff=0",
            "behaviour.omni_repeat_uplift=0",
            "behaviour.organic_conversion_weekly=0.05",
        ];
        let all: Vec<_> = neutral
            .iter()
            .chain(overrides)
            .map(|o| o.parse().unwrap())
            .collect();
        let mut s =
            crate::scenario::load::load(&crate::ScenarioSource::new("g", text), &all).unwrap();
        if !initiatives.is_empty() {
            // live at once (no build delay), effective in full
            s.integration
                .values_mut()
                .for_each(|spec| spec.delay_weeks = 0.0);
            for code in s.countries.keys() {
                let started = s.strategy.integration.entry(code.clone()).or_default();
                for name in initiatives {
                    started.insert(name.to_string(), 0);
                }
                s.strategy
                    .organisation
                    .entry(code.clone())
                    .or_default()
                    .shared_reward = 1.0;
            }
        }
        s
    }

    #[test]
    fn skipping_purchase_decisions_above_the_bound_changes_no_outcome() {
        // each multiplier of a purchase chance away from 1 with the others
        // neutral, so that the bound is tight and a bound that forgot the
        // multiplier would be exceeded by some agents; then all of them at once
        let all = crate::scenario::INITIATIVES;
        let cases: [(&[&str], &[&str]); 7] = [
            (&["behaviour.preferred_channel_boost=6"], &[]),
            (&["behaviour.switch_dropoff=0.5"], &[]),
            (&["behaviour.omni_repeat_uplift=3"], &[]),
            (&["behaviour.fatigue_effect=0.5"], &[]),
            (&[], &["unified_data"]),
            (&[], &["ropo"]),
            (
                &[
                    "behaviour.preferred_channel_boost=6",
                    "behaviour.switch_dropoff=0.5",
                    "behaviour.omni_repeat_uplift=3",
                    "behaviour.fatigue_effect=0.5",
                ],
                &all,
            ),
        ];
        let (mut orders, mut lost) = (0, 0);
        for (overrides, initiatives) in cases {
            let s = bound_case(overrides, initiatives);
            let bounded = stepped(&s, 30, false);
            assert_eq!(
                bounded,
                stepped(&s, 30, true),
                "{overrides:?}, initiatives {initiatives:?}"
            );
            for (t, _) in &bounded {
                orders += t.purchases.iter().sum::<u64>();
                lost += t.handover_losses.iter().sum::<u64>();
            }
        }
        // orders and hand-over losses happen, so the comparisons covered decisions
        // taken on both sides of the bound
        assert!(
            orders > 5000 && lost > 20,
            "{orders} orders, {lost} lost at the hand-over"
        );
    }

    #[test]
    fn the_vector_step_gives_the_one_agent_steps_numbers() {
        let levels = vector_levels();
        // the purchase-bound cases, a service-heavy case (contacts, sales at the
        // desk, bad experiences) and an opt-out-heavy one; shards of 250 to
        // 3 000 agents, so that most end in a part group
        let cases: [(&[&str], &[&str]); 5] = [
            (&[], &[]),
            (
                &[
                    "behaviour.preferred_channel_boost=6",
                    "behaviour.switch_dropoff=0.5",
                    "behaviour.omni_repeat_uplift=3",
                    "behaviour.fatigue_effect=0.5",
                ],
                &crate::scenario::INITIATIVES,
            ),
            (
                &[
                    "behaviour.contact_rate_weekly=0.3",
                    "behaviour.prospect_contact_rate_weekly=0.2",
                ],
                &[],
            ),
            (
                &[
                    "behaviour.fatigue_effect=0.9",
                    "behaviour.optout_at_full_fatigue=0.5",
                ],
                &["unified_data"],
            ),
            (&["behaviour.switch_dropoff=0.3"], &["ropo"]),
        ];
        let (mut orders, mut contacts, mut optouts, mut churned, mut journeys) = (0, 0, 0, 0, 0);
        for (overrides, initiatives) in cases {
            let s = bound_case(overrides, initiatives);
            let one_by_one = stepped_by(&s, 30, false, Shard::step_one_by_one);
            for (level, step_fn) in &levels {
                assert!(
                    stepped_by(&s, 30, false, *step_fn) == one_by_one,
                    "{level:?}: {overrides:?}, initiatives {initiatives:?}"
                );
            }
            for (t, _, j) in &one_by_one {
                orders += t.purchases.iter().sum::<u64>();
                contacts += t.contacts.iter().sum::<u64>();
                optouts += t.optouts;
                churned += t.churned_by_pref.iter().sum::<u64>();
                journeys += (j != &JourneyLog::default()) as u64;
            }
        }
        // every kind of event happened, so that each path was compared
        assert!(
            orders > 5000 && contacts > 1000 && optouts > 100 && churned > 100 && journeys > 50,
            "{orders} orders, {contacts} contacts, {optouts} opt-outs, {churned} churned, \
             {journeys} steps with journeys"
        );
    }

    /// The vector step's loads and stores rely on one length for every column:
    /// `Columns::len` refuses anything else.
    #[test]
    #[should_panic(expected = "agent columns of one length")]
    fn agent_columns_of_different_lengths_are_refused() {
        let (mut b8, mut b16, mut b32) = ([0u8; 7 * 16], [0u16; 16], [0u32; 16]);
        let (segments, rest) = b8.split_at_mut(16);
        let (prefs, rest) = rest.split_at_mut(16);
        let (states, rest) = rest.split_at_mut(16);
        let (flags, rest) = rest.split_at_mut(16);
        let (fams, rest) = rest.split_at_mut(16);
        let (sats, rest) = rest.split_at_mut(16);
        let (fats, _) = rest.split_at_mut(16);
        let (mut bads, mut lasts) = ([0u8; 16], [0u8; 15]);
        let churns = [0u16; 16];
        let cols = Columns {
            states,
            segments,
            prefs,
            flags,
            fams,
            sats,
            fats,
            bads: &mut bads,
            lasts: &mut lasts, // one short
            churns: &churns,
            useds: &mut b16,
            paths: &mut b32,
        };
        cols.len();
    }

    #[test]
    fn the_vector_step_matches_on_random_agents_and_extreme_parameters() {
        use rand::Rng;
        let levels = vector_levels();
        let s = bound_case(&[], &["unified_data", "ropo"]);
        let w = crate::World::new(&s, &s.strategy);
        let mut rng = crate::rng::stream(5, 0, 0, 0, 0, crate::rng::Purpose::Init);
        let (mut orders, mut churned, mut incon) = (0, 0, 0);
        for trial in 0..30u64 {
            let ci = trial as usize % w.countries.len();
            let mut dynamics = crate::step::CountryDynamics::default();
            let cut = crate::mechanisms::finance::Cut::NONE;
            let (mut p, _) = crate::step::compile(&w, ci, &mut dynamics, 0, cut);
            // valid but extreme parameters, a different set each trial
            let bound = [0, u32::MAX as u64, 1 << 32, u64::MAX][trial as usize % 4];
            match trial % 5 {
                0 => (p.inconsistency_thr, p.inconsistency_hit) = (u32::MAX, 255),
                1 => (p.drift_q8, p.wom_pos_thr, p.wom_any_thr) = (0, u32::MAX / 2, u32::MAX),
                2 => (p.drift_q8, p.wom_gain) = (256, 255),
                3 => (p.contact_thr, p.prospect_contact_thr) = (u32::MAX / 4, u32::MAX / 8),
                _ => p
                    .segments
                    .iter_mut()
                    .for_each(|sp| sp.buy_bound = [[bound; N_PAID + 1]; 2]),
            }
            // agents in any state and memory
            let mut sh = Shard::new(9, 0, ci, 0, &w.countries[ci], 100, 150);
            for i in 0..sh.len() {
                sh.state[i] = rng.random_range(0..state::N as u8);
                sh.flags[i] = rng.random_range(0..8);
                sh.familiarity[i] = rng.random();
                sh.satisfaction[i] = rng.random();
                sh.fatigue[i] = rng.random();
                sh.bad[i] = rng.random_range(0..4);
                let last = rng.random_range(0..=N_CHANNELS as u8);
                sh.last_ch[i] = if last == N_CHANNELS as u8 {
                    NO_CHANNEL
                } else {
                    last
                };
                sh.used[i] = rng.random_range(0..1 << N_CHANNELS);
                sh.path[i] = (0..rng.random_range(0..=8)).fold(0, |path, _| {
                    (path << 4) | rng.random_range(1..=N_PAID as u32)
                });
                sh.churn_p[i] = rng.random_range(0..2000);
            }
            let step = |f: StepFn, sh: &mut Shard| {
                (0..3)
                    .map(|k| {
                        let mut j = JourneyLog::default();
                        let t = f(sh, &p, trial * 3 + k, Some(&mut j));
                        (t, column_bytes(sh), j)
                    })
                    .collect::<Vec<_>>()
            };
            let reference = step(Shard::step_one_by_one, &mut sh.clone());
            for (level, f) in &levels {
                assert!(
                    step(*f, &mut sh.clone()) == reference,
                    "{level:?}, trial {trial}"
                );
            }
            for (t, _, _) in &reference {
                orders += t.purchases.iter().sum::<u64>();
                churned += t.churned_by_pref.iter().sum::<u64>();
                incon += t.inconsistency;
            }
        }
        assert!(
            orders > 100 && churned > 100 && incon > 100,
            "{orders} orders, {churned} churned, {incon} inconsistencies"
        );
    }

    #[test]
    fn the_purchase_bound_leaves_most_draws_undecided_on_the_default_preset() {
        let text = include_str!("../../scenarios/global-retail.toml");
        let s = crate::scenario::load::load(&crate::ScenarioSource::new("g", text), &[]).unwrap();
        let w = crate::World::new(&s, &s.strategy);
        let mut dynamics = crate::step::CountryDynamics::default();
        let cut = crate::mechanisms::finance::Cut::NONE;
        let (p, _) = crate::step::compile(&w, 0, &mut dynamics, 0, cut);
        for sp in &p.segments {
            // the bound lies above the chance and well below certainty
            let organic = sp.organic * 4_294_967_296.0;
            assert!(sp.buy_bound[0][N_PAID] as f64 >= organic);
            for k in 0..2 {
                for &b in &sp.buy_bound[k] {
                    assert!((b as f64) < 0.5 * 4_294_967_296.0, "bound {b}");
                }
            }
        }
    }

    #[test]
    fn rounding_to_u16_matches_the_library_round() {
        let reference = |x: f64| x.round().clamp(0.0, 65535.0) as u16;
        let mut xs = vec![
            f64::NAN,
            -1.0,
            -0.5,
            -0.49,
            0.0,
            0.49999999999999994,
            0.5,
            1.5,
            2.5,
            65534.5,
            65535.0,
            65535.4,
            65536.0,
            1e300,
            f64::INFINITY,
        ];
        let mut z = 1u64;
        for _ in 0..100_000 {
            z = crate::rng::splitmix64(z);
            xs.push(crate::rng::unit_f64(z) * 65535.0);
            // halves exactly
            xs.push((z % 131_072) as f64 / 2.0);
        }
        for x in xs {
            assert_eq!(round_to_u16(x), reference(x), "x = {x}");
        }
    }

    #[test]
    fn path_codes_round_trip_oldest_first() {
        let mut p = 0u32;
        for c in [Channel::Search, Channel::Email, Channel::Store] {
            p = (p << 4) | (c.index() as u32 + 1);
        }
        assert_eq!(
            path_channels(p),
            vec![Channel::Search, Channel::Email, Channel::Store]
        );
        assert!(has_online_research(p));
        assert!(!has_online_research(Channel::Print.index() as u32 + 1));
    }

    #[test]
    fn path_keeps_the_last_eight_touches() {
        let mut p = 0u32;
        for k in 0..10u32 {
            p = (p << 4) | (k % 7 + 1);
        }
        assert_eq!(path_channels(p).len(), 8);
        assert_eq!(
            *path_channels(p).last().unwrap(),
            Channel::from_index((9 % 7) as usize).unwrap()
        );
    }
}
