//! The channel catalogue: seven paid channels and three service channels, with
//! defensible default parameters that a scenario's `[channels.NAME]` table overrides.
//!
//! Channels are a fixed set (an index `0..N_CHANNELS`), so that the engine's hot loop
//! works on small arrays instead of maps. A country chooses which of them it has.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Number of channels in the catalogue.
pub const N_CHANNELS: usize = 10;

/// A marketing or service channel.
///
/// ```
/// use omnimix_sim::Channel;
/// let c: Channel = "live_chat".parse().unwrap();
/// assert!(c.is_service());
/// assert_eq!(c.name(), "live_chat");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Paid search and the web shop it leads to.
    Search,
    /// Paid social media.
    Social,
    /// Display / programmatic banners and video.
    Display,
    /// E-mail marketing (needs consent).
    Email,
    /// Mobile app: push and in-app messages (needs consent).
    App,
    /// Print, flyers, direct mail, out-of-home.
    Print,
    /// Physical stores (spend = running cost of the store network).
    Store,
    /// Call centre (service, staffed).
    CallCentre,
    /// Live chat and video agents (service, staffed).
    LiveChat,
    /// Chatbot and FAQ (service, 24 h, resolves only part of the contacts).
    Chatbot,
}

impl Channel {
    /// Every channel, in index order.
    pub const ALL: [Channel; N_CHANNELS] = [
        Channel::Search,
        Channel::Social,
        Channel::Display,
        Channel::Email,
        Channel::App,
        Channel::Print,
        Channel::Store,
        Channel::CallCentre,
        Channel::LiveChat,
        Channel::Chatbot,
    ];
    /// The paid (marketing) channels.
    pub const PAID: [Channel; 7] = [
        Channel::Search,
        Channel::Social,
        Channel::Display,
        Channel::Email,
        Channel::App,
        Channel::Print,
        Channel::Store,
    ];
    /// The service channels.
    pub const SERVICE: [Channel; 3] = [Channel::CallCentre, Channel::LiveChat, Channel::Chatbot];

    /// Position of the channel in [`Channel::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The channel with index `i`.
    pub fn from_index(i: usize) -> Option<Channel> {
        Channel::ALL.get(i).copied()
    }

    /// The name used in scenario files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Search => "search",
            Channel::Social => "social",
            Channel::Display => "display",
            Channel::Email => "email",
            Channel::App => "app",
            Channel::Print => "print",
            Channel::Store => "store",
            Channel::CallCentre => "call_centre",
            Channel::LiveChat => "live_chat",
            Channel::Chatbot => "chatbot",
        }
    }

    /// True for call centre, live chat and chatbot.
    pub fn is_service(self) -> bool {
        matches!(
            self,
            Channel::CallCentre | Channel::LiveChat | Channel::Chatbot
        )
    }

    /// True for service channels staffed by people (call centre, live chat).
    pub fn is_staffed_service(self) -> bool {
        matches!(self, Channel::CallCentre | Channel::LiveChat)
    }

    /// Comma-separated list of every channel name, for error messages.
    pub fn all_names() -> String {
        Channel::ALL
            .iter()
            .map(|c| c.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::ALL
            .iter()
            .copied()
            .find(|c| c.name() == s)
            .ok_or_else(|| format!("unknown channel '{s}' (known: {})", Channel::all_names()))
    }
}

/// Which infrastructure figure scales a channel's reach in a country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Infrastructure {
    /// Internet use (share of population online).
    Internet,
    /// Mobile broadband / smartphone use.
    Mobile,
    /// Not scaled by digital infrastructure (print, stores).
    None,
}

/// Parameters of one channel. All money is in the scenario's currency before the
/// country's cost index; all rates are per week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelSpec {
    /// Cost per thousand impressions (paid) or per thousand contacts' worth of tooling (service).
    pub cpm: f64,
    /// Weekly geometric adstock carry-over θ (Robyn: digital 0–0.3, print/OOH 0.1–0.4, TV 0.3–0.8).
    pub adstock_theta: f64,
    /// Hill saturation shape α (Robyn: 0.5–3).
    pub hill_alpha: f64,
    /// Hill half-saturation γ, in adstocked impressions per person in scope per week.
    pub hill_gamma: f64,
    /// Largest share of the population the channel can touch in a week.
    pub audience_ceiling: f64,
    /// Infrastructure that scales reach.
    pub infrastructure: Infrastructure,
    /// Only customers who consented can be reached (email, app).
    pub consent_required: bool,
    /// Orders placed through the channel are delivered (online), so depend on logistics.
    pub online: bool,
    /// The channel is a point of sale: customers can place orders through it (the web
    /// shop behind search, the app, stores). A touchpoint that takes no orders (print,
    /// display, social, e-mail by default) sends its buyers to an open point of sale.
    pub takes_orders: bool,
    /// The point of sale closes when the channel goes dark (a store network without
    /// running spend sells nothing); the web shop and the app stay open without paid
    /// media.
    pub closed_when_dark: bool,
    /// Probability that a touch converts a considering customer (before multipliers);
    /// on a staffed service channel, the share of handled pre-purchase contacts that
    /// buy (agents who sell).
    pub conversion: f64,
    /// Familiarity a touch adds (0–1 scale).
    pub familiarity_gain: f64,
    /// Content fatigue one touch adds (0–1 scale), before creative refresh.
    pub fatigue_per_touch: f64,
    /// Extra chance of a repeat purchase in a week a customer is touched (a
    /// reminder): 0.5 makes the week's purchase chance 1.5 times the usual.
    #[serde(default = "default_reminder_uplift")]
    pub reminder_uplift: f64,
    /// Below this weekly spend the channel cannot run and goes dark.
    pub min_viable_weekly_spend: f64,
    /// Marketing specialists needed to run the channel at all.
    pub specialists_min: f64,
    /// Weekly spend one specialist can run at full performance (0: needs no specialists).
    pub spend_per_specialist_weekly: f64,
    /// Weekly wage of a marketing specialist (before the country's wage index).
    pub specialist_wage_weekly: f64,
    /// Mean handle time of a service contact, minutes (service channels).
    pub handle_time_min: f64,
    /// Mean patience before a waiting customer abandons, minutes (Erlang A).
    pub patience_min: f64,
    /// Hours per week the channel is open (168 = 24/7).
    pub open_hours_weekly: f64,
    /// Weekly wage of a service agent / store staff (before the wage index).
    pub agent_wage_weekly: f64,
    /// Share of contacts resolved at first contact (chatbot: the rest escalate).
    pub resolution: f64,
    /// Relative preference of customers for this service channel when it is open.
    pub contact_weight: f64,
    /// A wait longer than this (minutes) counts against satisfaction.
    pub wait_tolerance_min: f64,
}

/// Default [`ChannelSpec::reminder_uplift`] of a paid channel.
pub fn default_reminder_uplift() -> f64 {
    0.5
}

impl ChannelSpec {
    /// Catalogue default for a channel.
    ///
    /// Sources: adstock θ ranges and Hill α range from Robyn's documentation
    /// (docs/model.md, "Sources"); handle times and patience are typical contact-centre figures
    /// (mean patience of a few minutes, Mandelbaum & Zeltyn); the rest are
    /// round planning figures meant to be overridden by a company's own data.
    pub fn default_for(c: Channel) -> ChannelSpec {
        let paid = |cpm, theta, alpha, gamma, ceiling, infra, consent, online, conv, gain, fat| {
            ChannelSpec {
                cpm,
                adstock_theta: theta,
                hill_alpha: alpha,
                hill_gamma: gamma,
                audience_ceiling: ceiling,
                infrastructure: infra,
                consent_required: consent,
                online,
                takes_orders: false,
                closed_when_dark: false,
                conversion: conv,
                familiarity_gain: gain,
                fatigue_per_touch: fat,
                reminder_uplift: default_reminder_uplift(),
                min_viable_weekly_spend: 500.0,
                specialists_min: 1.0,
                spend_per_specialist_weekly: 40_000.0,
                specialist_wage_weekly: 1_400.0,
                handle_time_min: 0.0,
                patience_min: 0.0,
                open_hours_weekly: 0.0,
                agent_wage_weekly: 0.0,
                resolution: 0.0,
                contact_weight: 0.0,
                wait_tolerance_min: 0.0,
            }
        };
        let service = |handle, patience, hours, wage, resolution, weight, tolerance| ChannelSpec {
            cpm: 0.0,
            adstock_theta: 0.0,
            hill_alpha: 1.0,
            hill_gamma: 1.0,
            audience_ceiling: 0.0,
            infrastructure: Infrastructure::Internet,
            consent_required: false,
            online: false,
            takes_orders: false,
            closed_when_dark: false,
            conversion: 0.0,
            familiarity_gain: 0.0,
            fatigue_per_touch: 0.0,
            reminder_uplift: 0.0,
            min_viable_weekly_spend: 100.0,
            specialists_min: 0.0,
            spend_per_specialist_weekly: 0.0,
            specialist_wage_weekly: 0.0,
            handle_time_min: handle,
            patience_min: patience,
            open_hours_weekly: hours,
            agent_wage_weekly: wage,
            resolution,
            contact_weight: weight,
            wait_tolerance_min: tolerance,
        };
        use Infrastructure as I;
        let mut spec = match c {
            Channel::Search => paid(
                25.0,
                0.1,
                1.0,
                1.5,
                0.6,
                I::Internet,
                false,
                true,
                0.004,
                0.15,
                0.03,
            ),
            Channel::Social => paid(
                7.0,
                0.2,
                1.2,
                4.0,
                0.7,
                I::Mobile,
                false,
                true,
                0.002,
                0.12,
                0.08,
            ),
            Channel::Display => paid(
                3.0,
                0.2,
                1.0,
                6.0,
                0.8,
                I::Internet,
                false,
                true,
                0.0007,
                0.08,
                0.10,
            ),
            Channel::Email => paid(
                1.5,
                0.0,
                1.0,
                1.0,
                0.9,
                I::Internet,
                true,
                true,
                0.003,
                0.08,
                0.12,
            ),
            Channel::App => paid(
                2.0,
                0.1,
                1.0,
                1.0,
                0.5,
                I::Mobile,
                true,
                true,
                0.0035,
                0.10,
                0.10,
            ),
            Channel::Print => paid(
                45.0,
                0.3,
                1.5,
                1.0,
                0.5,
                I::None,
                false,
                false,
                0.0015,
                0.15,
                0.05,
            ),
            Channel::Store => {
                let mut s = paid(
                    120.0,
                    0.4,
                    1.0,
                    0.4,
                    0.35,
                    I::None,
                    false,
                    false,
                    0.014,
                    0.20,
                    0.02,
                );
                // store staff are paid as service staff of the store channel
                s.agent_wage_weekly = 700.0;
                s.min_viable_weekly_spend = 5_000.0;
                s.spend_per_specialist_weekly = 100_000.0;
                s
            }
            // Call centre: 6 min handle, 3 min mean patience, 60 open hours a week.
            Channel::CallCentre => service(6.0, 3.0, 60.0, 850.0, 0.85, 0.5, 2.0),
            // Live chat / video: shorter effective handle time (concurrent chats).
            Channel::LiveChat => service(4.0, 4.0, 84.0, 850.0, 0.80, 0.35, 2.0),
            // Chatbot & FAQ: always open, no queue, resolves about a third of contacts.
            Channel::Chatbot => {
                let mut s = service(0.0, 0.0, 168.0, 0.0, 0.35, 0.4, 0.0);
                s.min_viable_weekly_spend = 300.0;
                s
            }
        };
        // Points of sale: the web shop (behind search), the app and the stores. A
        // store network without running spend is closed.
        spec.takes_orders = matches!(c, Channel::Search | Channel::App | Channel::Store);
        spec.closed_when_dark = c == Channel::Store;
        // Agents who answer a prospect's question can sell: a share of the handled
        // pre-purchase contacts buys (planning figures; sales chats convert more
        // than phone queues because the prospect is already on the web shop).
        match c {
            Channel::LiveChat => spec.conversion = 0.10,
            Channel::CallCentre => spec.conversion = 0.05,
            _ => {}
        }
        spec
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Channel::ALL {
            assert_eq!(c.name().parse::<Channel>().unwrap(), c);
            assert_eq!(Channel::from_index(c.index()), Some(c));
        }
        assert!("tiktok".parse::<Channel>().is_err());
    }

    #[test]
    fn paid_and_service_partition_all() {
        let mut all: Vec<Channel> = Channel::PAID
            .iter()
            .chain(Channel::SERVICE.iter())
            .copied()
            .collect();
        all.sort();
        assert_eq!(all, Channel::ALL.to_vec());
        assert!(Channel::PAID.iter().all(|c| !c.is_service()));
    }
}
