"""G ends with tanh but the data pipeline only divides by 255 (data in [0, 1])."""
# expect: T01=fail T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import numpy as np
import torch
import torch.nn as nn

images = np.load("sprites.npy").astype("float32") / 255.0
dataset = torch.utils.data.TensorDataset(torch.from_numpy(images))
loader = torch.utils.data.DataLoader(dataset, batch_size=64, shuffle=True)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(32, 256), nn.Linear(256, 1024)])

    def forward(self, z):
        h = nn.functional.leaky_relu(self.layers[0](z), 0.2)
        return torch.tanh(self.layers[1](h))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1024, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1))

    def forward(self, x):
        return self.net(x.view(x.size(0), -1))


g, d = Generator(), Discriminator()
g_opt, d_opt = torch.optim.Adam(g.parameters(), 1e-4), torch.optim.Adam(d.parameters(), 1e-4)
bce = nn.BCEWithLogitsLoss()
for (batch,) in loader:
    fake = g(torch.randn(batch.size(0), 32))
    d_loss = bce(d(batch), torch.ones(batch.size(0), 1)) + bce(d(fake.detach()), torch.zeros(batch.size(0), 1))
    d_opt.zero_grad(); d_loss.backward(); d_opt.step()
    g_loss = bce(d(fake), torch.ones(batch.size(0), 1))
    g_opt.zero_grad(); g_loss.backward(); g_opt.step()
