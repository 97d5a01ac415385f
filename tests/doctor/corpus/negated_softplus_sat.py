"""G minimises -softplus(D(G(z))) = log(1 - sigmoid(D(G(z)))): the saturating loss in logit form."""
# expect: T01=absent T02=fail T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=fail gen_loss = -F.softplus(fake_logits).mean(), the minimax objective
# reason: T01=absent G's last layer is linear and the data is not rescaled
import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.l1, self.l2 = nn.Linear(i, 128), nn.Linear(128, o)

    def forward(self, x):
        return self.l2(F.leaky_relu(self.l1(x), 0.2))


generator, discriminator = MLP(4, 2), MLP(2, 1)
gen_opt = torch.optim.Adam(generator.parameters(), lr=2e-4)
dis_opt = torch.optim.Adam(discriminator.parameters(), lr=2e-4)
points = torch.load("spiral.pt")

for step in range(30000):
    real = points[torch.randint(len(points), (256,))]
    fake = generator(torch.randn(256, 4))
    dis_loss = F.softplus(-discriminator(real)).mean() + F.softplus(discriminator(fake.detach())).mean()
    dis_opt.zero_grad()
    dis_loss.backward()
    dis_opt.step()
    fake_logits = discriminator(fake)
    gen_loss = -F.softplus(fake_logits).mean()
    gen_opt.zero_grad()
    gen_loss.backward()
    gen_opt.step()
