//! People and groups: who can be told of a ticket. A person is named by the `sub` of their
//! token; their contact methods are checked by format when they are defined. Groups are lists
//! of people, by the slug tickets use in `assignment_group`.

mod contact;
pub mod group;
pub mod person;

pub use contact::{Contact, ContactKind};
pub use group::{GroupCommand, GroupDoc, GroupEvent, GroupId, GroupSpec};
pub use person::{PersonCommand, PersonDoc, PersonEvent, PersonId, PersonSpec};
