//! Who answers to a name an escalation level notifies: a person by id, or every member of a
//! group by slug, each with their contact methods (from the read models).

use crate::{App, AppError};
use servicedesk_domain::incident::Recipient;
use servicedesk_domain::people::group::GroupId;
use servicedesk_domain::people::person::PersonId;

impl App {
    /// The recipients of `names`; a name that is nobody's gives none (the notification is
    /// then not sent, and the escalation event still says whom it asked for).
    pub async fn recipients(&self, names: Vec<String>) -> Result<Vec<Recipient>, AppError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        self.query(move |db| {
            let mut found = Vec::new();
            for name in names {
                let people = match db.person(PersonId::of_sub(&name))? {
                    Some(person) => vec![person],
                    None => match db.group(GroupId::of_slug(&name))? {
                        Some(group) => group
                            .spec
                            .members
                            .iter()
                            .filter_map(|m| db.person(PersonId::of_sub(m)).transpose())
                            .collect::<Result<Vec<_>, _>>()?,
                        None => Vec::new(),
                    },
                };
                for person in people {
                    for contact in &person.spec.contacts {
                        found.push(Recipient {
                            name: name.clone(),
                            person: person.spec.id.clone(),
                            contact: contact.clone(),
                        });
                    }
                }
            }
            Ok(found)
        })
        .await
    }
}
