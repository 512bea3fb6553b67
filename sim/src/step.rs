//! One country's parameters for one step, compiled from the mechanisms before the
//! agents move: media response (reach per channel), service desks (Erlang A),
//! word of mouth (from the previous step's counts: read step t, write t + 1),
//! integration state, fatigue, consistency, privacy, finance.
//!
//! Probabilities become `u32` thresholds so the agent loop compares integers.

use crate::agents::{NO_CHANNEL, StepTally, q8, thr};
use crate::channel::{Channel, N_CHANNELS};
use crate::mechanisms::observation::ObservationStep;
use crate::mechanisms::service::{DeskOutcome, desks};
use crate::mechanisms::{
    consistency, coordination, exposure, fatigue, finance, incentives, integration, privacy,
    staffing, word_of_mouth,
};
use crate::world::{N_PAID, World};

/// Familiarity a word-of-mouth conversation adds or removes (0–1 scale).
pub const WOM_FAMILIARITY_GAIN: f64 = 0.1;

/// Initiative indices (see [`crate::scenario::INITIATIVES`]).
pub mod initiative {
    /// Unified customer data.
    pub const UNIFIED_DATA: usize = 0;
    /// Consistent messaging.
    pub const CONSISTENT_MESSAGING: usize = 1;
    /// Cross-channel continuity.
    pub const CONTINUITY: usize = 2;
    /// Buy online, pick up in store.
    pub const BOPIS: usize = 3;
    /// Research online, purchase offline.
    pub const ROPO: usize = 4;
    /// Store staff with cross-channel access.
    pub const STORE_STAFF_ACCESS: usize = 5;
}

/// Per-segment parameters of a step.
#[derive(Debug, Clone)]
pub struct SegmentStep {
    /// Cumulative touch thresholds over paid channels in [`StepParams::touch_order`],
    /// [without consent, with consent].
    pub touch_cum: [[u32; N_PAID]; 2],
    /// Familiarity added per touch (same channel as last).
    pub gain: [u8; N_PAID],
    /// Familiarity added per touch on a different channel than last.
    pub gain_cross: [u8; N_PAID],
    /// Familiarity needed to consider.
    pub consider_thr: i32,
    /// Per-step organic conversion probability.
    pub organic: f64,
    /// Conversion probability per touch.
    pub conv: [f64; N_PAID],
    /// Personalisation multiplier for consented customers.
    pub personalisation: f64,
    /// Per-step repeat purchase probability (× the week's demand index).
    pub purchase: f64,
    /// Per-step repeat purchase probability at flat demand (customer equity spans
    /// years, not the week's season).
    pub purchase_flat: f64,
    /// Repeat-purchase multiplier when touched on a channel.
    pub touch_purchase_boost: [f64; N_PAID],
    /// Order value in this country.
    pub order_value: f64,
    /// Draw bounds of the purchase decision, `[prospects and churned, customers]`,
    /// by touched paid channel (the last entry: no touch): a `u_buy` draw at or
    /// above the bound can neither buy nor lose an order at the hand-over this
    /// step, whatever the agent's memory (see [`SegmentStep::set_buy_bounds`]).
    pub buy_bound: [[u64; N_PAID + 1]; 2],
}

impl Default for SegmentStep {
    /// Zero chances, and purchase bounds that skip no decision (until
    /// [`SegmentStep::set_buy_bounds`] sets them).
    fn default() -> Self {
        SegmentStep {
            touch_cum: [[0; N_PAID]; 2],
            gain: [0; N_PAID],
            gain_cross: [0; N_PAID],
            consider_thr: 0,
            organic: 0.0,
            conv: [0.0; N_PAID],
            personalisation: 0.0,
            purchase: 0.0,
            purchase_flat: 0.0,
            touch_purchase_boost: [0.0; N_PAID],
            order_value: 0.0,
            buy_bound: [[u64::MAX; N_PAID + 1]; 2],
        }
    }
}

impl SegmentStep {
    /// Sets [`SegmentStep::buy_bound`] from the largest chance each purchase
    /// decision of [`crate::agents::Shard::step`] can reach: every multiplier an
    /// agent's memory may apply (fatigue, consent, preferred channel, research
    /// online, win-back, satisfaction, omnichannel use, the hand-over's kept
    /// share) at its largest, with a relative margin far above the rounding of
    /// the products, so that skipping the decision above the bound changes no
    /// outcome. The argument needs every factor non-negative, which validation
    /// guarantees (shares and multipliers within their ranges).
    pub fn set_buy_bounds(&mut self, p: &StepParams) {
        let up = |x: f64| x.max(1.0);
        let most = |xs: &[f64]| xs.iter().fold(0.0f64, |m, &x| m.max(x));
        let keep = up(p.switch_keep);
        let pers = up(self.personalisation);
        let prospect = |c: Option<usize>| {
            let touch = c.map_or(0.0, |c| {
                self.conv[c].max(0.0)
                    * most(&p.fatigue_factor)
                    * pers
                    * up(p.pref_boost)
                    * keep
                    * up(p.ropo_conversion)
            });
            (self.organic.max(0.0) + touch) * up(p.winback)
        };
        let customer = |c: Option<usize>| {
            self.purchase.max(0.0)
                * most(&p.sat_purchase)
                * up(p.omni_repeat)
                * pers
                * c.map_or(1.0, |c| up(self.touch_purchase_boost[c]) * keep)
        };
        let bound = |q: f64| {
            let x = (q * 4_294_967_296.0 * (1.0 + 1e-9)).ceil();
            // a NaN bound (0 × ∞ in the product) bounds nothing: every draw decides
            if x.is_nan() {
                u64::MAX
            } else {
                (x.min(1e19) as u64).saturating_add(1)
            }
        };
        for (k, q) in [&prospect as &dyn Fn(Option<usize>) -> f64, &customer]
            .into_iter()
            .enumerate()
        {
            for c in 0..N_PAID {
                self.buy_bound[k][c] = bound(q(Some(c)));
            }
            self.buy_bound[k][N_PAID] = bound(q(None));
        }
    }
}

/// Outcome thresholds of one service desk.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeskStep {
    /// Below: abandoned.
    pub abandon_thr: u32,
    /// Below (and above abandon): long wait.
    pub long_thr: u32,
    /// Satisfaction gained by a served contact.
    pub good_gain: i32,
}

/// Everything the agent loop needs for one country and one step.
#[derive(Debug, Clone, Default)]
pub struct StepParams {
    /// Per segment.
    pub segments: Vec<SegmentStep>,
    /// Paid channels by conversion per touch, best first: the order in which the
    /// touches of a step take precedence.
    pub touch_order: [u8; N_PAID],
    /// Fatigue kept per step, in 1/256.
    pub fatigue_keep_q8: u32,
    /// Familiarity of non-customers kept per step, in 1/256.
    pub familiarity_keep_q8: i32,
    /// Fatigue per touch.
    pub fatigue_inc: [u32; N_PAID],
    /// Channel needs consent.
    pub consent_channel: [bool; N_PAID],
    /// Opt-out thresholds by fatigue level (16 levels).
    pub optout_thr: [u32; 16],
    /// Response multiplier by fatigue level.
    pub fatigue_factor: [f64; 16],
    /// Inconsistency event per touch.
    pub inconsistency_thr: u32,
    /// Satisfaction lost in an inconsistency event.
    pub inconsistency_hit: i32,
    /// Positive word of mouth.
    pub wom_pos_thr: u32,
    /// Positive or negative word of mouth.
    pub wom_any_thr: u32,
    /// Familiarity change of a word-of-mouth conversation.
    pub wom_gain: i32,
    /// Preferred-channel conversion multiplier.
    pub pref_boost: f64,
    /// Conversion kept when switching channels.
    pub switch_keep: f64,
    /// Store conversion multiplier after online research (ROPO live).
    pub ropo_conversion: f64,
    /// Win-back multiplier.
    pub winback: f64,
    /// Repeat purchase multiplier by satisfaction level.
    pub sat_purchase: [f64; 16],
    /// Repeat purchase multiplier of omnichannel customers.
    pub omni_repeat: f64,
    /// Channel sells online (delivery).
    pub online: [bool; N_CHANNELS],
    /// Online order picked up in store (BOPIS live).
    pub bopis_thr: u32,
    /// Value multiplier of a pick-up order.
    pub bopis_value: f64,
    /// Online spend multiplier of omnichannel customers.
    pub omni_online: f64,
    /// Store spend multiplier of omnichannel customers.
    pub omni_store: f64,
    /// Store spend multiplier after online research.
    pub ropo_value: f64,
    /// Delivery succeeds.
    pub deliver_thr: u32,
    /// Satisfaction gained by a delivered purchase.
    pub purchase_gain: i32,
    /// Satisfaction baseline.
    pub baseline: u8,
    /// Customer contacts service.
    pub contact_thr: u32,
    /// Prospect asks a question.
    pub prospect_contact_thr: u32,
    /// Store-preferring customer is served in store (store staff access live).
    pub store_access_thr: u32,
    /// Cumulative routing thresholds: call centre, live chat, chatbot.
    pub route_cum: [u32; 3],
    /// Chatbot resolves.
    pub bot_resolve_thr: u32,
    /// Escalation goes to the call centre (else live chat).
    pub escalate_to_call_thr: u32,
    /// Per channel desk outcomes.
    pub desks: [DeskStep; N_CHANNELS],
    /// Satisfaction lost on a long wait.
    pub long_wait_hit: i32,
    /// Satisfaction gained by good service (store, chatbot × 2).
    pub good_gain: i32,
    /// Satisfaction lost on a bad experience.
    pub bad_hit: i32,
    /// Customer leaves right after a bad experience.
    pub bad_leave_thr: u32,
    /// Churn hazard multiplier by satisfaction level, in units of churn_p × u32 range.
    pub churn_mult: [f64; 16],
    /// Channel takes orders (a point of sale, open or not).
    pub takes_orders: [bool; N_PAID],
    /// Channel is an open point of sale this step (takes orders, available, and
    /// running when it closes when dark).
    pub sale_open: [bool; N_PAID],
    /// Where an order goes when the channel it starts on is not an open point of
    /// sale (nearest open one: same side online/offline first), or [`NO_CHANNEL`].
    pub sale_fallback: [u8; N_PAID],
    /// Share of the orders kept at the fallback: 1 when it is the channel's natural
    /// point of sale (the first one on its side, open or not), else the moved
    /// orders' share kept (1 − closed-channel loss, cut by continuity).
    pub sale_keep: [f64; N_PAID],
    /// Share of the orders kept when they have to move to another point of sale.
    pub moved_keep: f64,
    /// Prospect stops considering after an abandoned or unanswered contact.
    pub prospect_lost_thr: u32,
    /// Handled pre-purchase contact on a staffed desk turns into a sale.
    pub desk_sell_thr: [u32; N_CHANNELS],
    /// Drift towards baseline per step, in 1/256.
    pub drift_q8: i32,
    /// What the company records of a journey (used only when journeys are written).
    pub observe: ObservationStep,
    /// Satisfied at or above.
    pub satisfied_min: i32,
    /// Dissatisfied below.
    pub dissatisfied_below: i32,
}

/// What the step compilation reports for the weekly output.
#[derive(Debug, Clone, Copy, Default)]
pub struct StepReport {
    /// Spend run this step per channel (after cuts; zero when dark).
    pub spend: [f64; N_CHANNELS],
    /// Impressions bought this step per channel.
    pub impressions: [f64; N_CHANNELS],
    /// Modelled weekly reach share per paid channel.
    pub reach: [f64; N_CHANNELS],
    /// Service desk outcomes.
    pub desks: [DeskOutcome; N_CHANNELS],
    /// Wages this step.
    pub wages: f64,
    /// Integration cost this step.
    pub integration: f64,
    /// Shared-reward bonus pool and coordination function this step.
    pub organisation: f64,
}

/// Carry-over state of a country between steps.
#[derive(Debug, Clone, Default)]
pub struct CountryDynamics {
    /// Adstock per channel.
    pub adstock: [f64; N_CHANNELS],
    /// Last step's tally (agents).
    pub last: StepTally,
}

/// Probability per step from a probability per week.
pub fn per_step(p_week: f64, step_weeks: f64) -> f64 {
    if step_weeks == 1.0 {
        p_week.clamp(0.0, 1.0)
    } else {
        1.0 - (1.0 - p_week.clamp(0.0, 1.0)).powf(step_weeks)
    }
}

fn level_mid(k: usize) -> f64 {
    (k as f64 * 16.0 + 8.0) / 255.0
}

fn qi(x: f64) -> i32 {
    q8(x) as i32
}

/// Open points of sale and, for every paid channel, where its orders go when it
/// takes none or is closed: the first open point of sale on the same side
/// (online or offline), then on the other side, in catalogue order.
fn points_of_sale(world: &World, ci: usize, running: &[bool; N_CHANNELS], p: &mut StepParams) {
    let c = &world.countries[ci];
    for (i, t) in p.takes_orders.iter_mut().enumerate() {
        *t = world.specs[i].takes_orders;
    }
    for (i, open) in p.sale_open.iter_mut().enumerate() {
        let spec = &world.specs[i];
        *open = c.available[i] && spec.takes_orders && (running[i] || !spec.closed_when_dark);
    }
    for from in 0..N_PAID {
        let side = world.specs[from].online;
        let same = (0..N_PAID).filter(|&k| world.specs[k].online == side);
        let other = (0..N_PAID).filter(|&k| world.specs[k].online != side);
        let natural = same
            .clone()
            .find(|&k| c.available[k] && world.specs[k].takes_orders);
        let open = same.chain(other).find(|&k| p.sale_open[k]);
        p.sale_fallback[from] = open.map_or(NO_CHANNEL, |k| k as u8);
        p.sale_keep[from] = if open.is_some() && open == natural {
            1.0
        } else {
            p.moved_keep
        };
    }
}

/// Compile country `ci`'s parameters for `step` under the period's budget cut.
pub fn compile(
    world: &World,
    ci: usize,
    dynamics: &mut CountryDynamics,
    step: u32,
    cut: finance::Cut,
) -> (StepParams, StepReport) {
    let s = &world.scenario;
    let b = &s.behaviour;
    let c = &world.countries[ci];
    let dt = world.step_weeks();
    let spw = s.time_step.steps_per_week();
    let week = step / spw;
    let live = |i: usize| c.live(i, week);
    let effect = |i: usize| {
        s.integration
            .get(crate::scenario::INITIATIVES[i])
            .map_or(0.0, |x| x.effect)
    };
    // a cut in integration runs live projects at reduced strength for the period
    let on = |i: usize| {
        if live(i) {
            effect(i) * cut.integration
        } else {
            0.0
        }
    };
    // a hiring freeze: fewer agents at the desks and in store
    let staff: [f64; N_CHANNELS] = std::array::from_fn(|k| c.service_staff[k] * cut.staff);
    let mut rep = StepReport::default();
    let org = c.organisation;

    // Media response and running channels.
    let mut reach = [0.0; N_CHANNELS];
    let mut running = [false; N_CHANNELS];
    let mut weekly_run = [0.0; N_CHANNELS];
    let planned = c.weekly_spend_at(week);
    for ch in Channel::ALL {
        let i = ch.index();
        let spec = &world.specs[i];
        if !c.available[i] {
            continue;
        }
        let cut_here = if ch.is_service() { 1.0 } else { cut.media };
        let w = finance::weekly_spend_run(planned[i], cut_here, c.spec.min_viable_weekly(spec));
        weekly_run[i] = w;
        rep.spend[i] = w * dt;
        running[i] = w > 0.0;
        if ch.is_service() {
            continue;
        }
        let working = rep.spend[i] * (1.0 - world.strategy.creative_share);
        let imp = exposure::impressions(working, spec, &c.spec);
        rep.impressions[i] = imp;
        let theta_step = spec.adstock_theta.powf(dt);
        let norm = if spec.adstock_theta > 0.0 {
            (1.0 - theta_step) / (1.0 - spec.adstock_theta)
        } else {
            1.0
        };
        // a hiring freeze thins the crews but keeps the minimum crew that runs a channel
        // (a region's minimum crew is its population share of the country's)
        let min_crew = spec.specialists_min * c.spec.region_share();
        let crew = staffing::crew_factor(
            (c.specialists[i] * cut.staff).max(c.specialists[i].min(min_crew)),
            min_crew,
            w,
            spec.spend_per_specialist_weekly,
        );
        let (a, r_week) = exposure::respond(
            dynamics.adstock[i],
            imp / dt * norm,
            c.spec.population,
            theta_step,
            spec,
            &c.spec,
            crew,
        );
        dynamics.adstock[i] = a;
        rep.reach[i] = r_week;
        reach[i] = per_step(r_week, dt);
    }
    let store = Channel::Store.index();
    let store_factor = staffing::store_staff_factor(
        staff[store],
        weekly_run[store],
        staffing::STORE_SPEND_PER_STAFF_WEEKLY,
    );
    let running_paid = (0..N_PAID).filter(|&i| running[i]).count();

    // Word of mouth from last step's counts.
    let last = &dynamics.last;
    let agents = c.agents as f64;
    let senti = word_of_mouth::sentiment(
        last.satisfied as f64,
        last.dissatisfied as f64,
        last.customers() as f64,
        agents,
        b.wom_talk_rate,
        b.review_effect,
        dt,
    );

    let mut p = StepParams {
        fatigue_keep_q8: (256.0 * b.fatigue_retention_weekly.powf(dt)).round() as u32,
        familiarity_keep_q8: (256.0 * b.familiarity_retention_weekly.powf(dt)).round() as i32,
        inconsistency_thr: thr(consistency::inconsistency_probability(
            b.inconsistency_rate
                * coordination::inconsistency_factor(org.coordination, &s.coordination),
            running_paid,
            on(crate::step::initiative::CONSISTENT_MESSAGING),
        )),
        inconsistency_hit: qi(b.inconsistency_hit),
        wom_pos_thr: thr(senti.p_positive),
        wom_any_thr: thr(senti.p_positive + senti.p_negative),
        wom_gain: qi(WOM_FAMILIARITY_GAIN),
        pref_boost: b.preferred_channel_boost,
        switch_keep: 1.0
            - incentives::handover_dropoff(
                b.switch_dropoff,
                on(initiative::CONTINUITY),
                org.shared_reward,
                &s.incentives,
            ),
        ropo_conversion: (1.0 + on(initiative::ROPO))
            * incentives::store_service_factor(org.shared_reward, &s.incentives),
        winback: b.winback_factor,
        omni_repeat: 1.0 + b.omni_repeat_uplift,
        bopis_thr: if running[store] {
            thr(incentives::pickup_share(
                on(initiative::BOPIS),
                org.shared_reward,
                &s.incentives,
            ))
        } else {
            0
        },
        bopis_value: 1.0 + 2.0 / 3.0 * b.bopis_extra_value,
        omni_online: 1.0 + b.omni_uplift_online,
        omni_store: 1.0 + b.omni_uplift_store,
        ropo_value: 1.0 + b.ropo_store_uplift,
        deliver_thr: thr(c.spec.logistics_reliability),
        purchase_gain: qi(b.purchase_gain),
        baseline: q8(b.satisfaction_baseline),
        contact_thr: thr(per_step(b.contact_rate_weekly, dt)),
        prospect_contact_thr: thr(per_step(b.prospect_contact_rate_weekly, dt)),
        store_access_thr: if running[store] && staff[store] > 0.0 {
            thr(on(initiative::STORE_STAFF_ACCESS))
        } else {
            0
        },
        long_wait_hit: qi(b.long_wait_hit),
        good_gain: qi(b.good_service_gain),
        bad_hit: qi(b.bad_experience_hit),
        bad_leave_thr: thr(c.spec.bad_experience_churn),
        moved_keep: 1.0 - b.closed_channel_loss * (1.0 - on(initiative::CONTINUITY)),
        prospect_lost_thr: thr(b.prospect_abandon_loss * c.spec.bad_experience_churn),
        drift_q8: (256.0 * (1.0 - (1.0 - b.satisfaction_drift).powf(dt))).round() as i32,
        satisfied_min: qi(b.satisfaction_baseline - 0.05),
        dissatisfied_below: qi(b.satisfaction_baseline - 0.2),
        observe: ObservationStep::new(&s.observation, live(initiative::UNIFIED_DATA)),
        ..Default::default()
    };
    for ch in Channel::PAID {
        let i = ch.index();
        let spec = &world.specs[i];
        p.fatigue_inc[i] = q8(fatigue::fatigue_per_touch(
            spec.fatigue_per_touch,
            world.strategy.creative_share,
            b.creative_refresh_strength,
        )) as u32;
        p.consent_channel[i] = spec.consent_required;
    }
    for (k, o) in p.optout_thr.iter_mut().enumerate() {
        *o = thr(fatigue::optout_probability(
            level_mid(k),
            b.optout_at_full_fatigue,
        ));
    }
    for k in 0..16 {
        let level = level_mid(k);
        p.fatigue_factor[k] = fatigue::response_factor(level, b.fatigue_effect);
        p.sat_purchase[k] = (0.5 + level) / (0.5 + b.satisfaction_baseline);
        let hazard = dt * (b.satisfaction_churn_slope * (b.satisfaction_baseline - level)).exp();
        p.churn_mult[k] = hazard / 65535.0 * 4_294_967_296.0;
    }
    for ch in Channel::ALL {
        p.online[ch.index()] = world.specs[ch.index()].online;
    }
    points_of_sale(world, ci, &running, &mut p);

    let mut order: [u8; N_PAID] = std::array::from_fn(|i| i as u8);
    order.sort_by(|&a, &b| {
        world.specs[b as usize]
            .conversion
            .total_cmp(&world.specs[a as usize].conversion)
            .then(a.cmp(&b))
    });
    p.touch_order = order;

    // Segments. The week's demand index scales every purchase propensity: repeat
    // purchases, organic conversion and the conversion of a touch (paid and service).
    let demand = c.demand_at(week);
    let cross_bonus = 1.0 + 0.5 * on(initiative::CONSISTENT_MESSAGING);
    for seg in &c.segments {
        let mut st = SegmentStep {
            consider_thr: qi(b.consider_threshold),
            organic: (per_step(b.organic_conversion_weekly, dt) * demand).min(1.0)
                * senti.review_multiplier,
            personalisation: privacy::personalisation_multiplier(
                live(initiative::UNIFIED_DATA),
                effect(initiative::UNIFIED_DATA),
                c.personalisation_cap,
                seg.spec.price_sensitivity,
            ),
            purchase: (per_step(seg.spec.purchase_rate_weekly, dt) * demand).min(1.0),
            purchase_flat: per_step(seg.spec.purchase_rate_weekly, dt),
            touch_purchase_boost: std::array::from_fn(|i| 1.0 + world.specs[i].reminder_uplift),
            order_value: seg.order_value,
            ..Default::default()
        };
        for consent in [false, true] {
            let mut probs = [0.0; N_PAID];
            for (i, pr) in probs.iter_mut().enumerate() {
                let spec = &world.specs[i];
                if spec.consent_required && !consent {
                    continue;
                }
                *pr = (reach[i] * seg.preference[i]).clamp(0.0, 0.95);
            }
            // Each channel reaches the agent independently; of the touches of a
            // step the one on the channel that converts best is the one that
            // counts, so adding a channel never takes touches away from the ones
            // before it in that order (no crowding out).
            let mut none_before = 1.0;
            let mut acc = 0.0;
            for (k, &c) in p.touch_order.iter().enumerate() {
                let pr = probs[c as usize];
                acc += pr * none_before;
                none_before *= 1.0 - pr;
                st.touch_cum[consent as usize][k] = thr(acc);
            }
        }
        for i in 0..N_PAID {
            let spec = &world.specs[i];
            let g = spec.familiarity_gain / seg.spec.decision_makers;
            st.gain[i] = q8(g);
            st.gain_cross[i] = q8(g * cross_bonus);
            let staff = if i == store { store_factor } else { 1.0 };
            st.conv[i] =
                (spec.conversion * senti.review_multiplier * staff * demand).clamp(0.0, 1.0);
        }
        // (every step parameter the bounds read is set above)
        st.set_buy_bounds(&p);
        p.segments.push(st);
    }

    // Service desks: expected contacts from last step's customers and prospects.
    let mut open = [false; N_CHANNELS];
    for ch in Channel::SERVICE {
        open[ch.index()] = running[ch.index()];
    }
    let expected = (last.customers() as f64 * per_step(b.contact_rate_weekly, dt)
        + last.states[crate::agents::state::CONSIDERING as usize] as f64
            * per_step(b.prospect_contact_rate_weekly, dt))
        * c.scale;
    let d = desks(&world.specs, &open, &staff, expected, dt);
    let (cc, lc, bot) = (
        Channel::CallCentre.index(),
        Channel::LiveChat.index(),
        Channel::Chatbot.index(),
    );
    p.route_cum = [
        thr(d[cc].route_share),
        thr(d[cc].route_share + d[lc].route_share),
        thr(d[cc].route_share + d[lc].route_share + d[bot].route_share),
    ];
    p.bot_resolve_thr = thr(d[bot].resolution);
    let (wc, wl) = (
        if open[cc] {
            world.specs[cc].contact_weight
        } else {
            0.0
        },
        if open[lc] {
            world.specs[lc].contact_weight
        } else {
            0.0
        },
    );
    p.escalate_to_call_thr = if wc + wl > 0.0 {
        thr(wc / (wc + wl))
    } else {
        0
    };
    for i in [cc, lc] {
        p.desk_sell_thr[i] = thr(world.specs[i].conversion * senti.review_multiplier * demand);
        p.desks[i] = DeskStep {
            abandon_thr: thr(d[i].p_abandon),
            long_thr: thr(d[i].p_abandon + d[i].p_long_wait),
            good_gain: qi(b.good_service_gain * d[i].resolution),
        };
    }
    rep.desks = d;

    // Costs of the step.
    rep.wages = c.wages_weekly * dt * cut.staff;
    rep.organisation = (incentives::bonus_weekly(c.wages_weekly, org.shared_reward, &s.incentives)
        * cut.staff
        + c.coordination_weekly)
        * dt;
    rep.integration = integration::step_cost_cut(
        &c.rollouts,
        week,
        step.is_multiple_of(spw),
        dt,
        cut.integration,
    );
    (p, rep)
}
